package vk

import "time"

// Options selects and configures the device opened by Open.
type Options struct {
	DeviceIndex int  // index into ListDevices, or -1 to pick the best device
	Validation  bool // enable VK_LAYER_KHRONOS_validation and record its messages
	Timings     bool // record per-kernel GPU times of each Run (see Device.Timings)
	// FP32 keeps every product in float32 even where the device offers fp16 arithmetic
	// (so does the environment variable SCOPE_VK_FP32=1). See the package documentation
	// for the two paths' tolerances.
	FP32 bool
	// NoIntDot keeps the float kernels for the Q8_0 and Q4_0 matrix-vector products even
	// where the device has integer dot products (so does SCOPE_VK_NO_INT_DOT=1).
	NoIntDot bool

	forceStaging bool  // tests: never map device memory, always copy through staging
	maxRange     int64 // tests: a smaller descriptor range, to exercise weight and KV splits
	// tests: a smaller allocation limit (maxMemoryAllocationSize), as on drivers where it
	// is below the descriptor range
	maxAllocation int64
	nanSlack      bool // tests (and SCOPE_VK_NAN_SLACK=1): NaN after every allocation, in view
}

// DeviceInfo describes one physical device.
type DeviceInfo struct {
	Index        int
	Name         string
	Kind         string // "discrete", "integrated", "virtual", "software" or "other"
	APIVersion   string // e.g. "1.3.230"
	MemoryBytes  int64  // device-local heap size (the budget when the driver reports one)
	SubgroupSize int
	FP16         bool // shaderFloat16 and 16-bit storage buffers
	Int8         bool // shaderInt8 and 8-bit storage buffers
	// IntDot is shaderIntegerDotProduct (VK_KHR_shader_integer_dot_product, core in 1.3);
	// IntDotAccelerated says the driver runs packed signed 4x8-bit dot products natively.
	IntDot, IntDotAccelerated bool

	MaxStorageBufferRange int64 // bytes one descriptor may view
	MaxAllocation         int64 // bytes one memory allocation may hold
	MaxPushConstants      int   // bytes
	MaxSharedMemory       int   // bytes of workgroup shared memory
	Usable                bool  // Vulkan 1.1, a compute queue, dynamic indexing of buffer arrays
}

// KernelTime is the GPU time of one dispatch of the last Run (Options.Timings).
type KernelTime struct {
	Op       int    // index of the op in the Run's list
	Kernel   string // shader name
	Duration time.Duration
}
