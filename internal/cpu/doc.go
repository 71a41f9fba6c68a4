// Package cpu is the SIMD CPU backend: a backend.Device over host memory.
//
// Activations are float32 slices; weights stay in their GGUF layout and, when possible,
// alias the caller's bytes (the memory-mapped model file). Matrix products over quantised
// weights quantise each activation row once (Q8_0 for Q8_0/Q4_0 weights, Q8_K for the
// K-quants) and run integer dot products, as llama.cpp does. Kernels come in one set per
// implementation path: plain Go ("generic", every platform and the purego build tag),
// AVX2+FMA+F16C and AVX-512 (BW, VL, VNNI) on amd64. The best path the CPU supports is
// chosen once when the device opens; Options.Path forces a lower one.
//
// Work is split across a persistent pool of worker goroutines (Options.Threads); ops run
// one after another, each split by rows (matrix products), heads (attention) or tokens.
package cpu
