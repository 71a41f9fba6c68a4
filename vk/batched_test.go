//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// TestMatVecBatched runs batches of 2-32 tokens through the matrix-vector kernel with
// several tokens per workgroup (the GPU choice for multi-sequence decode steps), for every
// weight type it reads natively, on odd row counts: plain products and Linear with the
// norm prologue and the gated and accumulating epilogues, against the reference.
func TestMatVecBatched(t *testing.T) {
	for path, d := range productPaths(t) {
		func() {
			defer useKernel(d, batchKernels["batched"])()
			tw := newTwin(t, d)
			for _, c := range []struct {
				typ        quant.Type
				rows, cols int
			}{
				{quant.F32, 23, 100}, {quant.F16, 19, 130}, {quant.Q8_0, 21, 96},
				{quant.Q4_0, 37, 64}, {quant.Q4_K, 11, 256}, {quant.Q6_K, 13, 256},
			} {
				w := tw.weight(c.typ, c.rows, c.cols, tw.randn(c.rows*c.cols, 0.5))
				gw := tw.weight(c.typ, 2*c.rows, c.cols, tw.randn(2*c.rows*c.cols, 0.5))
				norm := tw.weight(quant.F32, 1, c.cols, tw.randn(c.cols, 1))
				for _, n := range []int{2, 3, 7, 8, 17, 32} {
					x := tw.buf(tw.randn(n*c.cols, 2))
					plain, normed := tw.zeros(n*c.rows), tw.zeros(n*c.rows)
					gated, acc := tw.zeros(n*c.rows), tw.buf(tw.randn(n*c.rows, 1))
					tw.run(func(s int) []backend.Op {
						return []backend.Op{
							backend.MatMul{W: w[s], X: x[s], Out: plain[s], N: n},
							backend.Linear{W: w[s], X: x[s], N: n, Outs: []backend.Buffer{normed[s]}, Norm: norm[s], NormEps: 1e-5},
							backend.Linear{W: gw[s], X: x[s], N: n, Outs: []backend.Buffer{gated[s]}, Gated: true, Norm: norm[s], NormEps: 1e-5},
							backend.Linear{W: gw[s], X: x[s], N: n, Outs: []backend.Buffer{acc[s]}, Gated: true, Accumulate: true},
						}
					})
					what := fmt.Sprintf("%s %s %dx%d n=%d", path, c.typ, c.rows, c.cols, n)
					tol := matTol(d, c.typ)
					tw.compare(what+" matmul", plain, tol)
					tw.compare(what+" norm", normed, tol)
					tw.compare(what+" norm gated", gated, tol)
					tw.compare(what+" gated accumulate", acc, tol)
				}
			}
		}()
	}
}

// TestMatVecTokens checks the batch split: one token per workgroup up to matvecMaxN,
// then powers of two up to matvecBatchMax that fit shared memory, then the tiled kernel.
func TestMatVecTokens(t *testing.T) {
	d := &Device{matvecMaxN: 1, matvecBatchMax: 32, matvecRows: 2, matvecWG: 64}
	d.phys.maxSharedMemory = 49152
	for n, want := range map[int]int{1: 1, 2: 2, 3: 4, 8: 8, 17: 32, 32: 32, 33: 0} {
		if got, _ := d.matvecTokens(n); got != want {
			t.Errorf("n=%d: %d tokens per workgroup, want %d", n, got, want)
		}
	}
	d.phys.maxSharedMemory = 16384 // (2+1)*16*64*4 = 12 KiB fits, 32 tokens do not
	if got, _ := d.matvecTokens(32); got != 16 {
		t.Errorf("16 KiB of shared memory: %d tokens per workgroup for 32, want 16", got)
	}
}
