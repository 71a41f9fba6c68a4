// Package vk is the Vulkan compute backend: a backend.Device that runs every op of
// internal/backend on a Vulkan device through the GLSL kernels of package shaders.
//
// # Binding
//
// All Vulkan calls go through the package's own small C shim (shim*.c), not through a Go
// binding: the shim opens the Vulkan loader at run time with dlopen ("libvulkan.so.1"), takes
// vkGetInstanceProcAddr from it and fetches every other entry point through
// vkGetInstanceProcAddr / vkGetDeviceProcAddr. The Vulkan declarations it needs are in
// vkabi.h and vkfn.h, written from the specification (no SDK or headers are needed to build;
// a test compares them with the system header when one is installed). Vulkan structs are
// built on the C stack from scalars and handles, so Vulkan never reads Go memory and the Go
// garbage collector cannot free anything a call still uses. Handles are plain uint64 outside
// C. The package is compiled only with cgo on Linux, FreeBSD and macOS and without the
// "novulkan" build tag; elsewhere Open returns an error wrapping backend.ErrUnsupported and
// the runtime uses the CPU backend. A machine without the loader or without a device gets
// the same kind of error at Open. Portability devices (MoltenVK) are enumerated when the
// loader offers VK_KHR_portability_enumeration.
//
// # Execution model
//
// Run turns the op list into a list of dispatches (host-side index arrays are packed into a
// per-run host-visible arena, addressed by push constants), records them into one command
// buffer with a memory barrier only where a dispatch touches a buffer that an earlier one
// since the last barrier wrote (or writes one it read), submits once and waits on a fence.
// Descriptor sets are cached by their exact bindings and reused across runs. Memory is
// sub-allocated from large blocks; each block is one VkBuffer, and a descriptor views a
// range of it. No range is larger than maxStorageBufferRange: weights above it are split by
// rows into several parts (one dispatch each) and the KV store into chunks of whole pages
// bound as a descriptor array.
//
// # Kernels
//
// Every kernel computes in float32. Weights of type F32, F16, Q8_0, Q4_0, Q4_K and Q6_K
// are read in their GGUF layout; one-row weights (norms, biases) and BF16 are stored as
// F32, other types are dequantised once at upload to F16. Decoding uses a matrix-vector
// kernel (one workgroup per output row) and batches a tiled matrix-matrix kernel; prefill
// attention is tiled over queries, decode attention is split over the cache and reduced.
// fp16 arithmetic is not used yet, even where Caps reports it.
//
// # Lavapipe
//
// Mesa's software device (lavapipe) reports: 128-byte push constants, 128 MiB storage
// buffer range, subgroup size 8, 32 KiB shared memory, 65535 workgroups per dimension, 2 GiB
// per allocation, no VK_EXT_memory_budget; its memory is host-visible and coherent, so the
// backend maps it and needs no staging copies (tests force the staging path too). Measured
// on a shared 2-core machine: a Run of one dispatch takes about 240 us and each further
// dependent dispatch about 40 us; a 2048x2048 matrix-vector product 13-25 ms depending on
// the weight type; creating a pipeline (LLVM) takes tens of milliseconds, so pipelines are
// created on first use (Mesa's on-disk shader cache makes later processes faster).
//
// # Memory
//
// The backend contract has no way to free one buffer, weight or KV store: everything is
// freed by Close. Internal scratch buffers and the arena grow geometrically and keep their
// old ranges until Close; the descriptor-set cache is emptied between runs once it holds
// more than 16384 sets.
package vk
