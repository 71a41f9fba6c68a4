package cpu

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestPoolCoversRange checks that parallel visits every index exactly once, with worker
// ids in range, for several sizes and grains.
func TestPoolCoversRange(t *testing.T) {
	for _, threads := range []int{1, 2, 5} {
		p := newPool(threads)
		for _, n := range []int{0, 1, 7, 64, 1000} {
			for _, grain := range []int{0, 1, 3, 64, 5000} {
				hits := make([]atomic.Int32, n)
				var badWorker atomic.Bool
				p.parallel(n, grain, func(w, lo, hi int) {
					if w < 0 || w >= threads {
						badWorker.Store(true)
					}
					for i := lo; i < hi; i++ {
						hits[i].Add(1)
					}
				})
				if badWorker.Load() {
					t.Fatalf("threads %d: worker id out of range", threads)
				}
				for i := range hits {
					if hits[i].Load() != 1 {
						t.Fatalf("threads %d, n %d, grain %d: index %d visited %d times", threads, n, grain, i, hits[i].Load())
					}
				}
			}
		}
		p.close()
	}
}

func TestStreamBandwidth(t *testing.T) {
	for _, threads := range []int{1, 3} {
		if bw := streamBandwidth(threads, 1<<20); !(bw > 1e6) {
			t.Errorf("%d threads: %v bytes/s", threads, bw)
		}
	}
}

// TestPoolWakesParkedHelpers checks that tasks after an idle gap (helpers parked) and
// back-to-back tasks (helpers spinning) both use every worker and cover the range, and that
// close is idempotent.
func TestPoolWakesParkedHelpers(t *testing.T) {
	p := newPool(3)
	for round := 0; round < 20; round++ {
		if round%5 == 0 {
			time.Sleep(2 * spinFor) // let the helpers park
		}
		var sum atomic.Int64
		var used [3]atomic.Bool
		p.parallel(3000, 1, func(w, lo, hi int) {
			used[w].Store(true)
			for i := lo; i < hi; i++ {
				sum.Add(int64(i))
			}
			time.Sleep(time.Microsecond)
		})
		if got, want := sum.Load(), int64(3000*2999/2); got != want {
			t.Fatalf("round %d: sum %d, want %d", round, got, want)
		}
		if !used[1].Load() && !used[2].Load() {
			t.Errorf("round %d: no helper took part", round)
		}
	}
	p.close()
	p.close()
}
