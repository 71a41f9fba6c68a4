//go:build !(amd64 || arm64) || purego

package cpu

// simdKernels returns no SIMD paths: this build runs the generic kernels only.
func simdKernels() []*kernelSet { return nil }
