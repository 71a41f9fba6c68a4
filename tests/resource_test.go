package tests

import (
	"context"
	goruntime "runtime"
	"testing"

	scope "github.com/scopekv/scope/runtime"
)

// heapBytes is the live Go heap after a full collection.
func heapBytes() int64 {
	var ms goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// TestResourceSessionCycles runs 500 NewSession/Generate/Close cycles: the Go heap and the
// device memory stay where a few warm-up cycles left them. (A session that kept its
// buffers would add about 200 KB of activations each: 100 MB over the run.)
func TestResourceSessionCycles(t *testing.T) {
	for _, backend := range backends(t) {
		if backend == "ref" {
			continue // the oracle: the CPU backend covers host memory
		}
		t.Run(backend, func(t *testing.T) {
			m := openTiny(t, backend, scope.Config{BatchSize: 16})
			cycle := func(i int) {
				s, err := m.NewSession(scope.SessionOptions{ContextLen: 16})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.Generate(context.Background(), "ab", scope.GenerateOptions{MaxTokens: 1, NoBOS: i%2 == 0}); err != nil {
					t.Fatal(err)
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
			}
			for i := range 10 {
				cycle(i)
			}
			heap0, dev0 := heapBytes(), m.DeviceMemoryBytes()
			for i := range 500 {
				cycle(i)
			}
			heap1, dev1 := heapBytes(), m.DeviceMemoryBytes()
			t.Logf("%s: heap %d -> %d bytes, device memory %d -> %d bytes over 500 cycles", backend, heap0, heap1, dev0, dev1)
			if grown := heap1 - heap0; grown > 4<<20 {
				t.Errorf("the Go heap grew by %d KiB over 500 cycles (bound 4 MiB)", grown>>10)
			}
			if dev1 != dev0 {
				t.Errorf("device memory went from %d to %d bytes over 500 cycles", dev0, dev1)
			}
		})
	}
}

// TestResourceForkCycles forks a policy session 200 times in a KV pool that holds the
// parent and a few forks, runs a decode step on each fork (new pages) and
// closes it: the pool never runs out and the parent goes on. Before forks could be closed,
// the dropped forks' pages exhausted such a pool within twenty forks. (The runtime's own
// TestForkCloseReturnsPages checks the pool's free pages exactly.)
func TestResourceForkCycles(t *testing.T) {
	for _, backend := range backends(t) {
		if backend == "ref" {
			continue // slow, and the pool is the same on every backend
		}
		t.Run(backend, func(t *testing.T) {
			m := openTiny(t, backend, scope.Config{BatchSize: 16})
			c := m.Config()
			slot := int64(c.HeadDim*8 + 4)
			pages := int64(c.NLayers*c.NKVHeads) * 16 // 16 pages of 4 slots per (layer, unit)
			p := newSession(t, m, scope.SessionOptions{ContextLen: 48, KV: slidePolicy(), KVMemory: pages * 4 * slot})
			ctx := context.Background()
			if _, err := p.Eval(ctx, []int32{1, 30, 31, 32, 33, 34, 35, 36}); err != nil {
				t.Fatal(err)
			}
			for i := range 200 {
				f, err := p.Fork()
				if err != nil {
					t.Fatalf("fork %d: %v", i, err)
				}
				// a fork's token goes to fresh pages (shared pages are never appended to)
				if _, err := f.Eval(ctx, []int32{40}); err != nil {
					t.Fatalf("fork %d: %v", i, err)
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := p.Eval(ctx, []int32{50, 51, 52}); err != nil {
				t.Fatalf("the parent after 200 forks: %v", err)
			}
		})
	}
}
