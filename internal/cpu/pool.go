package cpu

import (
	"sync"
	"sync/atomic"
)

// pool is a fixed set of worker goroutines that share one task at a time. The goroutine
// that calls parallel works as worker 0, so a pool of n threads starts n-1 goroutines.
// Work is handed out in chunks from an atomic counter, which balances uneven chunks.
type pool struct {
	threads int
	wake    []chan struct{} // one per helper goroutine; closed by close
	done    sync.WaitGroup

	// The current task; written by parallel before waking helpers (the channel send
	// orders these writes before the helpers' reads).
	fn    func(worker, lo, hi int)
	n     int
	grain int
	next  atomic.Int64
}

func newPool(threads int) *pool {
	p := &pool{threads: max(1, threads)}
	p.wake = make([]chan struct{}, p.threads-1)
	for i := range p.wake {
		ch := make(chan struct{}, 1)
		p.wake[i] = ch
		go p.helper(i+1, ch)
	}
	return p
}

func (p *pool) helper(worker int, wake <-chan struct{}) {
	for range wake {
		p.work(worker)
		p.done.Done()
	}
}

// parallel runs fn over [0, n) in chunks of grain items and waits for all of them.
// fn receives the worker index (0 <= worker < threads) for per-worker scratch.
func (p *pool) parallel(n, grain int, fn func(worker, lo, hi int)) {
	if n <= 0 {
		return
	}
	grain = max(1, grain)
	chunks := (n + grain - 1) / grain
	helpers := min(len(p.wake), chunks-1)
	if helpers <= 0 {
		fn(0, 0, n)
		return
	}
	p.fn, p.n, p.grain = fn, n, grain
	p.next.Store(0)
	p.done.Add(helpers)
	for i := 0; i < helpers; i++ {
		p.wake[i] <- struct{}{}
	}
	p.work(0)
	p.done.Wait()
	p.fn = nil
}

func (p *pool) work(worker int) {
	g := int64(p.grain)
	for {
		lo := p.next.Add(g) - g
		if lo >= int64(p.n) {
			return
		}
		p.fn(worker, int(lo), int(min(lo+g, int64(p.n))))
	}
}

// close stops the helpers; the pool must be idle.
func (p *pool) close() {
	for _, ch := range p.wake {
		close(ch)
	}
	p.wake = nil
}

// splitGrain picks a chunk size that gives each worker a few chunks (for balance) but
// no chunk smaller than minGrain items.
func (p *pool) splitGrain(n, minGrain int) int {
	g := (n + 4*p.threads - 1) / (4 * p.threads)
	return max(g, minGrain, 1)
}
