package cpu

import (
	"sync"
	"time"

	"github.com/klauspost/cpuid/v2"

	"github.com/scopekv/scope/internal/sysmem"
)

// MeasureReadBandwidth estimates the host's memory read bandwidth in bytes per second: it
// streams through a buffer of about the given size with the given number of threads
// (0 = physical cores) using the best SIMD kernels, and keeps the best of a few passes.
// The buffer is made at least twice the last-level cache (and 64 MiB), so the caches do
// not answer, but at most a quarter of host memory.
func MeasureReadBandwidth(threads int, bytes int64) float64 {
	bytes = max(bytes, 64<<20, 2*int64(cpuid.CPU.Cache.L3))
	if limit := sysmem.Total() / 4; limit > 0 {
		bytes = min(bytes, limit)
	}
	return streamBandwidth(threads, bytes)
}

// streamBandwidth times read passes over a buffer of the given size.
func streamBandwidth(threads int, bytes int64) float64 {
	if threads <= 0 {
		threads = defaultThreads()
	}
	k, _ := selectKernels("")
	data := make([]float32, bytes/4)
	for i := range data {
		data[i] = float32(i & 0xff) // touch every page so the passes measure reads only
	}
	per := (len(data) + threads - 1) / threads
	best := 0.0
	sums := make([]float32, threads)
	for pass := 0; pass < 4; pass++ {
		var wg sync.WaitGroup
		start := time.Now()
		for w := 0; w < threads; w++ {
			lo, hi := min(w*per, len(data)), min((w+1)*per, len(data))
			wg.Add(1)
			go func() {
				defer wg.Done()
				sums[w] += k.sumSq(data[lo:hi])
			}()
		}
		wg.Wait()
		if s := time.Since(start).Seconds(); s > 0 {
			best = max(best, float64(len(data)*4)/s)
		}
	}
	return best
}
