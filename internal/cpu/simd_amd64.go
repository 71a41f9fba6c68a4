//go:build amd64 && !purego

package cpu

func simdKernels() []*kernelSet { return nil }
