// Package vk is the Vulkan compute backend: a backend.Device that runs every op of
// internal/backend on a Vulkan device through the GLSL kernels of package shaders.
//
// # Binding
//
// The backend is built on github.com/vulkan-go/vulkan (imported as vkc, pinned at
// v0.0.0-20221209234627-c0a353ae26c8) for the calls it makes safely, and on a small C
// shim of its own (shim*.c) for the rest. The shim opens the loader with dlopen
// ("libvulkan.so.1", so no -dev package is needed at run time) and hands its
// vkGetInstanceProcAddr to the binding (SetGetInstanceProcAddr; the binding's own default
// opens libvulkan.so); vkc.InitInstance runs right after each instance is created, since
// the binding's instance and device entries are null until then.
//
// Through the binding (objects.go, record.go, physquery.go):
//   - vkGetPhysicalDeviceProperties, vkGetPhysicalDeviceFeatures,
//     vkGetPhysicalDeviceMemoryProperties (one output struct each, read with Deref,
//     nested structs too, copied out at once and freed);
//   - vkCreateBuffer, vkDestroyBuffer, vkGetBufferMemoryRequirements, vkAllocateMemory,
//     vkFreeMemory, vkBindBufferMemory, vkMapMemory, vkUnmapMemory;
//   - vkCreateShaderModule, vkDestroyShaderModule, vkCreateDescriptorSetLayout,
//     vkDestroyDescriptorSetLayout, vkCreatePipelineLayout, vkDestroyPipelineLayout,
//     vkDestroyPipeline;
//   - vkCreateDescriptorPool, vkDestroyDescriptorPool, vkAllocateDescriptorSets;
//   - vkCreateCommandPool, vkDestroyCommandPool, vkAllocateCommandBuffers,
//     vkResetCommandBuffer, vkBeginCommandBuffer, vkEndCommandBuffer;
//   - vkCmdBindPipeline, vkCmdBindDescriptorSets, vkCmdPushConstants, vkCmdDispatch,
//     vkCmdFillBuffer, vkCmdResetQueryPool, vkCmdWriteTimestamp;
//   - vkCreateQueryPool, vkDestroyQueryPool, vkGetQueryPoolResults;
//   - vkCreateFence, vkDestroyFence, vkResetFences, vkWaitForFences, vkDeviceWaitIdle.
//
// Each create-info is a fresh local value whose C copy is released with Free right after
// the call; the Go slices that the binding stores in C memory (pCode, pSetLayouts) are
// pinned with runtime.Pinner for the call; outputs are local variables; slices and push
// constants passed to a call live in Go objects of their own (cgo checks the whole object
// a pointer points into, and the plan and the Device hold Go pointers).
//
// Through the shim (shim.c, shim_phys.c, shim_dev.c, shim_cmd.c):
//   - the binding's functions that take an array of structs free their C copy of it from
//     a finalizer that can run while Vulkan still reads it (under a forced GC,
//     vkUpdateDescriptorSets crashed in every run): vkUpdateDescriptorSets,
//     vkCreateComputePipelines, vkCmdPipelineBarrier, vkCmdCopyBuffer, vkQueueSubmit,
//     vkGetPhysicalDeviceQueueFamilyProperties and every vkEnumerate* call;
//   - what the binding (Vulkan 1.0 only) lacks: vkGetPhysicalDeviceProperties2 (subgroup
//     size, maintenance3, integer dot product acceleration), vkGetPhysicalDeviceFeatures2
//     (fp16, int8, 16/8-bit storage, shaderIntegerDotProduct),
//     vkGetPhysicalDeviceMemoryProperties2 (VK_EXT_memory_budget);
//   - vkCreateInstance with its debug messenger (a C callback, VK_EXT_debug_utils and
//     validation features chained in pNext) and vkCreateDevice (the Vulkan 1.1-1.3
//     feature structs chained in pNext), their Destroy calls, and vkGetDeviceQueue.
//
// The shim builds its structs on the C stack from scalars and handles, so Vulkan never
// reads Go memory there. The declarations it needs are in vkabi.h and vkfn.h, written
// from the specification (a test compares them with the system header when one is
// installed). Handles are plain uint64 outside the calls (the binding's types for them are
// pointers); no binding type leaves the package. TestBindingGCStress and TestGCStress make
// every call under a forced collector, and the suite passes with
// GOEXPERIMENT=cgocheck2. Host memory is coherent (pickMemoryTypes requires it), so
// nothing needs vkFlushMappedMemoryRanges.
//
// The package is compiled only with cgo on Linux and without the "novulkan" build tag
// (the binding links MoltenVK on macOS and libvulkan on FreeBSD at build time); elsewhere
// Open returns an error wrapping backend.ErrUnsupported and the runtime uses the CPU
// backend. A machine without the loader or without a device gets the same kind of error
// at Open. Portability devices are enumerated when the loader offers
// VK_KHR_portability_enumeration.
//
// # Execution model
//
// Run turns the op list into a list of dispatches (host-side index arrays are packed into a
// per-run host-visible arena, addressed by push constants), records them into one command
// buffer with a memory barrier only where a dispatch touches a buffer that an earlier one
// since the last barrier wrote (or writes one it read), submits once and waits on a fence.
// Descriptor sets are cached by their exact bindings and reused across runs. ReadBack ops
// are folded into the same submission (copied through the staging buffer where device
// memory is not mapped, where the arena is also copied to a device-local twin first); a
// run that plans exactly the previous run's dispatches resubmits its command buffer
// (reuse.go). The fused ops (backend.Linear, RoPEKV) and the counters behind
// `scope bench --vk-stats` are described in docs/performance.md, with the test modes
// SCOPE_VK_DISCRETE=1 (discrete-GPU choices on any device) and SCOPE_VK_NAN_SLACK=1 (NaN
// after every allocation, in the descriptors' view). Memory is
// sub-allocated from large blocks; each block is one VkBuffer, and a descriptor views a
// range of it. No range is larger than min(maxStorageBufferRange, maxMemoryAllocationSize):
// weights above it are split by rows into several parts (one dispatch each) and the KV
// store into chunks of whole pages bound as a descriptor array.
//
// # Kernels
//
// Weights of type F32, F16, Q8_0, Q4_0, Q4_K and Q6_K are read in their GGUF layout;
// one-row weights (norms, biases) and BF16 are stored as F32, other types are dequantised
// once at upload to F16. Activations are float32 in memory. Prefill attention is tiled
// over queries; decode attention is split over the cache and reduced. Batches of 2-32
// tokens use the matrix-vector kernel with up to 32 tokens per workgroup on GPUs
// (matvecTokens: each weight block fetched once for them), larger ones a tiled
// matrix-matrix kernel (32x32 tiles in shared memory, four weights dequantised per load);
// software devices take every batch through the matrix-vector kernel once per token
// (matvecMaxN: on lavapipe 3.5-4x faster for 64 tokens with float32 products, 1-1.8x with
// fp16). A Linear's RMSNorm prologue (Norm) is applied by the matrix-vector kernel as it
// loads the activations, and by a separate RMSNorm into scratch before the tiled kernel.
//
// Decoding uses a matrix-vector kernel (shaders/matvec.comp, qdot.glsl): a workgroup
// computes several rows (matvecShape: 64 invocations and 2 rows on a GPU, one subgroup and
// 8 rows on a software device); each invocation loads the activations of a 32-element
// group once, as vec4s, and multiplies them with that group of every row of the
// workgroup, reading quantised weights as 32-bit words (blocks of 34, 18 and 210 bytes
// start on 2-byte boundaries: n words cost n+1 loads there) and F32, F16 and Q4_K rows as
// 128-bit words. Partial sums are added with subgroupAdd, then across subgroups in shared
// memory; devices without subgroup arithmetic in compute shaders get the _tree variants
// (a shared-memory tree). Kernels name the device features they need (shaders.Kernel
// Features, read from the SPIR-V capabilities) and the device refuses those it lacks.
//
// # fp16 products
//
// Where the device has shaderFloat16 and 16-bit storage (Caps().FP16, Device.FP16), Open
// selects the _f16 matrix kernels for every weight type but F32: the matrix-vector kernel
// dequantises four weights at a time to fp16 (block scales applied in fp16; Q4_K's
// weight formed in float32 and rounded once), converts the activations to fp16 and
// accumulates each four-element fp16 dot in float32; the matrix-matrix kernel stages its
// tiles in fp16 and accumulates two-element fp16 dots in float32. Options.FP32 or
// SCOPE_VK_FP32=1 keep the float32 kernels. All other kernels compute in float32.
// Activation groups above 1024 in magnitude are divided by a power of two before the
// conversion and the dot multiplied back, so activations past the fp16 range (65504) do
// not overflow.
//
// # int8 dot products
//
// Where the device has shaderIntegerDotProduct (Vulkan 1.3, or VK_KHR_shader_integer_dot_product
// below it; DeviceInfo.IntDot; Device.IntDot, Caps().Int8 and ", int8 dot products" in
// Caps().Name when in use), Open
// enables it and the Q8_0 and Q4_0 matrix-vector products take the _i8 kernels, on either
// product path: each 32-element activation group is quantised to int8 as a workgroup loads
// it (one float scale: the group's largest magnitude / 127; the norm prologue applied
// first) and used for all the workgroup's rows; every four weights take one packed int8
// dot product (OpSDot, declared through GL_EXT_spirv_intrinsics) summed in integers over
// the block, then scaled by the weight block's and the group's scales. Q4_0's nibbles are
// taken as unsigned and 8 times the sum of the quantised activations is subtracted.
// Options.NoIntDot or SCOPE_VK_NO_INT_DOT=1 keep the float kernels; the tiled kernel and
// the other weight types always compute in floating point. The int8 rounding of the
// activations adds a normalised MSE of sum_k w_k^2 step_k^2 / 12 over sum y^2 (step: the
// group's scale), about 3e-5 for Gaussian activations: TestIntDot requires 1/5-5 times
// that prediction per product (measured 0.58-1.14 times it on lavapipe); whole-model
// logits differ from the reference by 1.1e-4..2.2e-4, as the CPU backend's Q8
// activations do (tests/agree_test.go allows 5e-4 to both).
//
// Tolerances (normalised MSE against internal/ref, vk tests on lavapipe, both paths):
//   - float32 path: 1e-7 per product (measured 1e-13..1e-14 for native types; 5e-8
//     for types converted to F16 at upload), 1e-6 for a whole layer step;
//   - fp16 path: 1e-5 per product (measured 1.3e-7..4e-7: fp16 rounding of weights,
//     activations and products), 1e-5 for a whole layer step (measured 1.5e-6).
//
// # Lavapipe
//
// Mesa's software device (lavapipe) reports: 128-byte push constants, 128 MiB storage
// buffer range, subgroup size 8, 32 KiB shared memory, 65535 workgroups per dimension, 2 GiB
// per allocation, fp16 arithmetic, integer dot products (the packed 4x8-bit one not
// accelerated), no VK_EXT_memory_budget; its memory is host-visible and
// coherent, so the backend maps it and needs no staging copies (tests force the staging
// path too). Measured on a shared 2-core machine (BenchmarkMatVec, pipeline compiled
// before timing; the machine's load makes them vary by about 30%): a 2048x2048
// matrix-vector product took 15-29 ms before the kernel above (one row per workgroup of
// 64, byte loads, a shared-memory tree) and now takes, float32 / fp16 products: F32 3.8 /
// -, F16 2.6 / 3.6, Q8_0 3.4 / 5.3, Q4_0 2.5 / 4.2, Q4_K 2.9 / 7.0, Q6_K 7.0 / 9.5 ms
// (lavapipe emulates fp16 arithmetic; a GPU runs it natively). A Run of one dispatch takes
// about 240 us and each further dependent dispatch about 40 us; creating a pipeline (LLVM)
// takes tens of milliseconds, so pipelines are created on first use (Mesa's on-disk shader
// cache makes later processes faster). vk/bench_gpu.sh runs the tests and benchmarks on a
// machine with a GPU.
//
// # Memory
//
// FreeBuffer and FreeKV return a buffer's or KV store's ranges to their block: later
// allocations of the same heap reuse freed ranges first (first fit), and a block whose
// ranges are all free starts over, so sessions that come and go keep the device memory flat
// (free.go). Blocks themselves and weights are freed by Close. Internal scratch buffers and
// the arena grow geometrically and keep their old ranges until Close; the descriptor-set
// cache is emptied between runs once it holds more than 16384 sets. Tests make an
// allocation or a submit fail through internal/faults.
package vk
