package cpu

import "github.com/klauspost/cpuid/v2"

func physicalCores() int { return cpuid.CPU.PhysicalCores }
