//go:build cgo && !novulkan && linux

package vk

import (
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// TestAllocationLimit lowers the allocation limit below the descriptor range (as on
// drivers with a 2 GiB maxMemoryAllocationSize and a larger range): weights split into
// parts and the KV store into chunks that each fit one allocation, and they still compute
// what the reference computes.
func TestAllocationLimit(t *testing.T) {
	const limit = 8192
	d := openOrSkip(t, Options{DeviceIndex: -1, Validation: true, maxAllocation: limit})
	if d.maxRange() != limit {
		t.Fatalf("maxRange %d with an allocation limit of %d", d.maxRange(), limit)
	}
	tw := newTwin(t, d)
	w := tw.weight(quant.Q8_0, 301, 64, tw.randn(301*64, 0.5))
	if parts := len(w[1].(*weight).parts); parts < 3 {
		t.Fatalf("%d weight parts, want several", parts)
	}
	for _, p := range w[1].(*weight).parts {
		if p.a.size > limit || p.a.blk.size > limit {
			t.Fatalf("weight part of %d bytes in a block of %d (limit %d)", p.a.size, p.a.blk.size, limit)
		}
	}
	x := tw.buf(tw.randn(2*64, 1))
	out := tw.zeros(2 * 301)
	tw.run(func(s int) []backend.Op { return []backend.Op{backend.MatMul{W: w[s], X: x[s], Out: out[s], N: 2}} })
	tw.compare("matmul under a low allocation limit", out, matTol(d, quant.Q8_0))

	kvs, err := d.NewKV(backend.KVLayout{NumPages: 12, PageSize: 4, HeadDim: 64}) // 12 KiB each of K and V
	if err != nil {
		t.Fatalf("NewKV: %v", err)
	}
	if chunks := len(kvs.(*kvStore).k); chunks < 2 {
		t.Errorf("%d KV chunks under a %d-byte allocation limit, want several", chunks, limit)
	}
	if _, err := d.NewBuffer(limit/4 + 1); err == nil {
		t.Error("a buffer beyond the allocation limit was accepted")
	}
}
