//go:build cgo && !novulkan && linux

package vk

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// layerStep builds one transformer step (embedding, one layer, logits, argmax) as a
// single op list, so one Run chains many dependent dispatches (barriers, arena, reused
// descriptor sets).
type layerStep struct {
	tw                              *twin
	emb, norm1, norm2, wq, wk, wv   tweight
	wo, gate, up, down, out         tweight
	x, h, q, k, v, att, g, u, logit tbuf
	next                            tbuf
	kv                              tkv
}

const (
	sDim, sHeads, sKV, sHD, sHidden, sVocab, sPage = 64, 4, 2, 16, 96, 33, 4
)

func newLayerStep(tw *twin, n int) *layerStep {
	w := func(t quant.Type, rows, cols int) tweight { return tw.weight(t, rows, cols, tw.randn(rows*cols, 0.3)) }
	ls := &layerStep{tw: tw,
		emb: w(quant.Q8_0, sVocab, sDim), norm1: w(quant.F32, 1, sDim), norm2: w(quant.F32, 1, sDim),
		wq: w(quant.Q4_0, sHeads*sHD, sDim), wk: w(quant.F16, sKV*sHD, sDim), wv: w(quant.F32, sKV*sHD, sDim),
		wo: w(quant.Q8_0, sDim, sHeads*sHD), gate: w(quant.Q4_K, sHidden, 256), up: w(quant.Q6_K, sHidden, 256),
		down: w(quant.F16, sDim, sHidden), out: w(quant.Q8_0, sVocab, sDim),
	}
	ls.kv = tw.kv(backend.KVLayout{NumPages: 12, PageSize: sPage, HeadDim: sHD})
	z := tw.zeros
	ls.x, ls.h, ls.q = z(n*sDim), z(n*256), z(n*sHeads*sHD)
	ls.k, ls.v, ls.att = z(n*sKV*sHD), z(n*sKV*sHD), z(n*sHeads*sHD)
	ls.g, ls.u, ls.logit, ls.next = z(n*sHidden), z(n*sHidden), z(n*sVocab), z(n)
	return ls
}

// ops returns side s's op list for tokens at positions start.. (slots = positions).
func (ls *layerStep) ops(s int, tokens []int32, start int) []backend.Op {
	n := len(tokens)
	pos := make([]int32, n)
	slots := make([]int32, n*sKV)
	for i := range pos {
		pos[i] = int32(start + i)
		for u := 0; u < sKV; u++ {
			slots[i*sKV+u] = int32((u*6+(start+i)/sPage)*sPage + (start+i)%sPage)
		}
	}
	tables := [][]int32{{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11}}
	rope := func(x backend.Buffer, heads int) backend.RoPE {
		return backend.RoPE{X: x, N: n, NHeads: heads, HeadDim: sHD, RopeDim: sHD, Pos: pos, Base: 10000}
	}
	// The feed-forward weights are K-quants, whose rows need 256 columns: that half views
	// the normalised state (n, sDim) as (n/4, 256), a reshape that keeps the shapes small.
	return []backend.Op{
		backend.Embed{Table: ls.emb[s], Tokens: tokens, Out: ls.x[s]},
		backend.RMSNorm{X: ls.x[s], Out: ls.h[s], W: ls.norm1[s], N: n, Dim: sDim, Eps: 1e-5},
		backend.MatMul{W: ls.wq[s], X: ls.h[s], Out: ls.q[s], N: n},
		backend.MatMul{W: ls.wk[s], X: ls.h[s], Out: ls.k[s], N: n},
		backend.MatMul{W: ls.wv[s], X: ls.h[s], Out: ls.v[s], N: n},
		rope(ls.q[s], sHeads), rope(ls.k[s], sKV),
		backend.KVWrite{KV: ls.kv[s], K: ls.k[s], V: ls.v[s], N: n, NKVHeads: sKV, UnitsPerKVHead: 1, Slots: slots, Pos: pos},
		backend.Attention{Q: ls.q[s], Out: ls.att[s], KV: ls.kv[s], N: n, NHeads: sHeads, Units: sKV, HeadDim: sHD, QPos: pos, Tables: tables},
		backend.MatMul{W: ls.wo[s], X: ls.att[s], Out: ls.h[s], N: n},
		backend.Add{A: ls.x[s], B: ls.h[s], Out: ls.x[s], N: n * sDim},
		backend.RMSNorm{X: ls.x[s], Out: ls.h[s], W: ls.norm2[s], N: n, Dim: sDim, Eps: 1e-5},
		backend.Copy{Src: ls.h[s], Dst: ls.h[s], SrcOff: 0, DstOff: n * sDim, N: n * sDim},
		backend.MatMul{W: ls.gate[s], X: ls.h[s], Out: ls.g[s], N: n / 4},
		backend.MatMul{W: ls.up[s], X: ls.h[s], Out: ls.u[s], N: n / 4},
		backend.SwiGLU{Gate: ls.g[s], Up: ls.u[s], Out: ls.g[s], N: (n / 4) * sHidden},
		backend.MatMul{W: ls.down[s], X: ls.g[s], Out: ls.h[s], N: n / 4},
		backend.Add{A: ls.x[s], B: ls.h[s], Out: ls.x[s], N: (n / 4) * sDim},
		backend.MatMul{W: ls.out[s], X: ls.x[s], Out: ls.logit[s], N: n},
		backend.Argmax{X: ls.logit[s], Out: ls.next[s], N: n, Dim: sVocab},
	}
}

// check compares the state, logits and KV store with the reference: 1e-6 in normalised
// MSE on the float32 path, 1e-5 where the eight matrix products of the step are computed
// in fp16 (measured about 1.5e-6).
func (ls *layerStep) check(name string) {
	tol := 1e-6
	if ls.tw.vkd.FP16() {
		tol = 1e-5
	}
	ls.tw.compare(name+" state", ls.x, tol)
	ls.tw.compare(name+" logits", ls.logit, tol)
	ls.tw.compareKV(name+" kv", ls.kv, tol)
}

// TestLayerStep runs a prefill and two decode steps, each as one Run, on the mapped and
// the staging memory paths (the latter with float32 products).
func TestLayerStep(t *testing.T) {
	for _, staging := range []bool{false, true} {
		d := sharedDevice(t)
		if staging {
			d = openOrSkip(t, Options{DeviceIndex: -1, Validation: true, forceStaging: true, Timings: true, FP32: true})
		}
		tw := newTwin(t, d)
		ls := newLayerStep(tw, 8)
		tokens := []int32{1, 5, 9, 32, 0, 7, 7, 3}
		tw.run(func(s int) []backend.Op { return ls.ops(s, tokens, 0) })
		ls.check("prefill")
		sets := 0
		for step := 0; step < 3; step++ {
			tw.run(func(s int) []backend.Op { return ls.ops(s, tokens[step:step+4], 8+4*step) })
			ls.check("decode")
			if step == 1 {
				sets = len(d.sets.sets)
			}
		}
		if n := len(d.sets.sets); n != sets {
			t.Errorf("a repeated step allocated descriptor sets: %d -> %d", sets, n)
		}
		if tm := d.Timings(); len(tm) < 19 {
			t.Errorf("%d kernel timings for a step of 19 ops", len(tm))
		}
	}
}

// TestGCStress forces garbage collections from other goroutines while steps are recorded
// and submitted on a fresh device (pipelines and descriptor sets are created under the
// collector): nothing Vulkan reads may live in Go memory.
func TestGCStress(t *testing.T) {
	d := openOrSkip(t, Options{DeviceIndex: -1, Validation: true})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					runtime.GC()
				}
			}
		}()
	}
	deadline := time.Now().Add(3 * time.Second)
	for it := 0; it < 40 && time.Now().Before(deadline); it++ {
		tw := newTwin(t, d) // new buffers: new descriptor sets every iteration
		ls := newLayerStep(tw, 4)
		tokens := []int32{3, 1, 4, 1}
		tw.run(func(s int) []backend.Op { return ls.ops(s, tokens, 0) })
		ls.check("gc")
	}
	close(stop)
	wg.Wait()
}
