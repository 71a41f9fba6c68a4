package cpu

import (
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"time"
)

// pool is a fixed set of worker goroutines that share one task at a time. The goroutine
// that calls parallel works as worker 0, so a pool of n threads starts n-1 goroutines.
// Work is handed out in chunks from an atomic counter, which balances uneven chunks.
//
// A decode step runs a hundred or more short parallel ops back to back, so waking a
// parked goroutine for each (tens of microseconds) would cost more than the work. Helpers
// therefore spin on the task generation for a short while after each task and park only
// when no task came (spinFor), and the caller spins until the helpers are done.
type pool struct {
	threads int
	helpers int

	gen     atomic.Uint64 // incremented for each task and at close
	pending atomic.Int32  // helpers still inside the current task
	closed  atomic.Bool
	exited  sync.WaitGroup

	mu   sync.Mutex // guards parking
	cond *sync.Cond // helpers park here once they have spun for spinFor

	// The current task; written by parallel before gen is incremented (the atomic
	// increment orders these writes before the helpers' reads).
	fn    func(worker, lo, hi int)
	n     int
	grain int
	next  atomic.Int64
}

// spinFor is how long an idle helper waits for the next task before parking: long
// enough to bridge the gaps between the ops of one step, short enough that idle pools
// give their cores back.
const spinFor = 200 * time.Microsecond

func newPool(threads int) *pool {
	p := &pool{threads: max(1, threads)}
	p.helpers = p.threads - 1
	p.cond = sync.NewCond(&p.mu)
	p.exited.Add(p.helpers)
	for i := 0; i < p.helpers; i++ {
		go p.helper(i + 1)
	}
	return p
}

func (p *pool) helper(worker int) {
	defer p.exited.Done()
	var seen uint64
	for {
		g := p.await(seen)
		if p.closed.Load() {
			return
		}
		seen = g
		p.work(worker)
		p.pending.Add(-1)
	}
}

// await returns the task generation once it differs from seen: spinning first, then parked.
func (p *pool) await(seen uint64) uint64 {
	start := time.Now()
	for i := 0; ; i++ {
		if g := p.gen.Load(); g != seen {
			return g
		}
		if i&63 == 63 {
			if time.Since(start) > spinFor {
				break
			}
			goruntime.Gosched() // let other goroutines run when threads outnumber cores
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if g := p.gen.Load(); g != seen {
			return g
		}
		p.cond.Wait()
	}
}

// parallel runs fn over [0, n) in chunks of grain items and waits for all of them.
// fn receives the worker index (0 <= worker < threads) for per-worker scratch.
func (p *pool) parallel(n, grain int, fn func(worker, lo, hi int)) {
	if n <= 0 {
		return
	}
	grain = max(1, grain)
	if p.helpers == 0 || n <= grain {
		fn(0, 0, n)
		return
	}
	p.fn, p.n, p.grain = fn, n, grain
	p.next.Store(0)
	p.pending.Store(int32(p.helpers))
	p.wakeAll()
	p.work(0)
	for i := 1; p.pending.Load() != 0; i++ {
		if i&63 == 0 {
			goruntime.Gosched()
		}
	}
	p.fn = nil
}

// wakeAll publishes a new generation and wakes parked helpers.
func (p *pool) wakeAll() {
	p.gen.Add(1)
	p.mu.Lock()
	p.cond.Broadcast()
	p.mu.Unlock()
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

// close stops the helpers and waits for them to exit; the pool must be idle.
func (p *pool) close() {
	if p.closed.Swap(true) {
		return
	}
	p.wakeAll()
	p.exited.Wait()
}

// splitGrain picks a chunk size that gives each worker a few chunks (for balance) but
// no chunk smaller than minGrain items.
func (p *pool) splitGrain(n, minGrain int) int {
	g := (n + 4*p.threads - 1) / (4 * p.threads)
	return max(g, minGrain, 1)
}
