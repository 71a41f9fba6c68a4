//go:build cgo && !novulkan && linux

package vk

import (
	"math"
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
	"github.com/scopekv/scope/shaders"
)

// TestAllocationLimit lowers the allocation limit below the descriptor range (as on
// drivers with a 2 GiB maxMemoryAllocationSize and a larger range): weights split into
// parts and the KV store into chunks that each fit one allocation, and they still compute
// what the reference computes.
func TestAllocationLimit(t *testing.T) {
	const limit = 8192
	d := openOrSkip(t, Options{DeviceIndex: -1, Validation: true, maxAllocation: limit})
	if d.maxRange() != limit-d.slackBytes() {
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

// TestNaNSlack shows that the NaN-slack mode exposes a read past an operand's end: a
// dispatch planned past its buffers' length (which Run's checks would refuse) reads NaN
// from the slack instead of lavapipe's zeros.
func TestNaNSlack(t *testing.T) {
	d := openOrSkip(t, Options{DeviceIndex: -1, Validation: true, nanSlack: true})
	a, err := d.newDeviceArray(10, "a")
	if err != nil {
		t.Fatal(err)
	}
	out, err := d.newDeviceArray(20, "out")
	if err != nil {
		t.Fatal(err)
	}
	d.fillWords(a, 0)
	d.fillWords(out, 0)
	d.mu.Lock()
	p := &plan{d: d}
	add(p, "add_f32", &shaders.AddPush{N: 11}, [3]uint32{1, 1, 1}, rd(a), rd(a), wr(out))
	err = d.encode(p)
	if err == nil {
		err = d.submitWait()
	}
	d.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float32, 20)
	mustDownload(t, d, out, got)
	if got[9] != 0 || !math.IsNaN(float64(got[10])) {
		t.Errorf("out[9], out[10] = %v, %v: want 0 and NaN (a read past the end)", got[9], got[10])
	}
}
