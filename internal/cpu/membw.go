package cpu

import (
	"sync"
	"time"
)

// MeasureReadBandwidth estimates the host's memory read bandwidth in bytes per second by
// summing a buffer of about the given size (at least 64 MiB, so caches do not answer) with
// the given number of threads (0 = physical cores), keeping the best of a few passes.
func MeasureReadBandwidth(threads int, bytes int64) float64 {
	if threads <= 0 {
		threads = defaultThreads()
	}
	bytes = max(bytes, 64<<20)
	words := make([]uint64, bytes/8)
	for i := range words {
		words[i] = uint64(i) // touch every page so the passes measure reads only
	}
	per := (len(words) + threads - 1) / threads
	best := 0.0
	for pass := 0; pass < 5; pass++ {
		var wg sync.WaitGroup
		start := time.Now()
		for w := 0; w < threads; w++ {
			lo, hi := min(w*per, len(words)), min((w+1)*per, len(words))
			wg.Add(1)
			go func() {
				defer wg.Done()
				sink(sumWords(words[lo:hi]))
			}()
		}
		wg.Wait()
		if s := time.Since(start).Seconds(); s > 0 {
			best = max(best, float64(len(words)*8)/s)
		}
	}
	return best
}

var sinkMu sync.Mutex
var sinkVal uint64

// sink keeps the sums alive so the reads are not optimised away.
func sink(v uint64) {
	sinkMu.Lock()
	sinkVal += v
	sinkMu.Unlock()
}

// sumWords reads every word with four independent chains, so the loop is bound by memory
// rather than by the add latency.
func sumWords(w []uint64) uint64 {
	var a, b, c, d uint64
	i := 0
	for ; i+8 <= len(w); i += 8 {
		a += w[i] ^ w[i+4]
		b += w[i+1] ^ w[i+5]
		c += w[i+2] ^ w[i+6]
		d += w[i+3] ^ w[i+7]
	}
	for ; i < len(w); i++ {
		a += w[i]
	}
	return a + b + c + d
}
