// Package cpu is the SIMD CPU backend: a backend.Device over host memory.
//
// Activations are float32 slices; weights stay in their GGUF layout and alias the
// caller's bytes (the memory-mapped model file). Matrix products over quantised weights
// quantise each activation row once (Q8_0 for Q8_0/Q4_0 weights, Q8_K for Q4_K/Q6_K) and
// run integer dot products, as llama.cpp does; F32, F16 and BF16 weights meet float32
// activations. Other weight types are converted to Q8_0 at upload.
//
// Kernels come in one set per implementation path, chosen once when the device opens
// (Options.Path forces a lower one):
//   - "generic": plain Go, on every platform and with the purego build tag; the others
//     are tested against it;
//   - "avx2": AVX2+FMA+F16C assembly (x86-64-v3): dot/axpy/sum of squares, matrix
//     kernels for every kernel type with one token (decode) or four tokens per pass over a
//     weight row (prefill), activation quantisers, and a vector exp for softmax and SiLU;
//   - "avx512": the AVX2 set with AVX-512 (F, BW, VL, VNNI) float and Q8_0/Q4_0 kernels
//     and interleaved (repacked) Q8_0, Q4_0, Q4_K, Q6_K, F16 and F32 kernels (pack.go;
//     the AVX2 set has the interleaved F16 and F32 ones too);
//   - "neon": arm64 ASIMD assembly for F32/F16/BF16, Q8_0/Q4_0 and Q4_K/Q6_K (SDOT when
//     the CPU has dot products) matrix-vector kernels, float vector ops and the Q8_0/Q8_K
//     quantisers; the vector exp and SwiGLU stay generic there.
//
// Work is split across a persistent pool of worker goroutines (Options.Threads): matrix
// products by chunks of weight rows (sized to stay in L2 while a tile of tokens passes
// over them), attention by (token, head), elementwise ops by ranges. Ops run in order.
package cpu
