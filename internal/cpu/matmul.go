package cpu

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
)

// Blocking of the matrix product: a worker takes a chunk of weight rows small enough to
// stay in L2 while every token tile passes over it, so prefill reads each weight row from
// memory once per tile instead of once per token.
const (
	chunkBytes = 128 << 10 // target weight bytes per row chunk when N > 1
	tokenTile  = 64        // tokens per pass over a row chunk
)

// scratch is memory reused across ops (Run is serialised, so one set per device).
type scratch struct {
	qs    []int8
	d     []float32
	bsums []int16
	xsum  []int32
	work  [][]float32 // per worker
	acts  []act       // per worker: attention's query rows as matrix-kernel activations
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// workerScratch returns worker w's float scratch of n values. Each worker touches only
// its own entry, so workers may call it concurrently.
func (s *scratch) workerScratch(w, n int) []float32 {
	s.work[w] = grow(s.work[w], n)
	return s.work[w]
}

func (d *Device) matMul(o backend.MatMul) error {
	w, err := asWeight(o.W)
	if err != nil {
		return err
	}
	if o.N < 0 {
		return fmt.Errorf("N = %d: %w", o.N, ErrInvalidOp)
	}
	if o.X == o.Out {
		return fmt.Errorf("X and Out are the same buffer: %w", ErrInvalidOp)
	}
	x, err := asBuffer(o.X, o.N*w.cols)
	if err != nil {
		return fmt.Errorf("X: %w", err)
	}
	out, err := asBuffer(o.Out, o.N*w.rows)
	if err != nil {
		return fmt.Errorf("Out: %w", err)
	}
	bias, err := biasOf(o.Bias, w.rows)
	if err != nil {
		return err
	}
	if o.N == 0 {
		return nil
	}
	a := d.prepareAct(actKindOf(w.typ), x[:o.N*w.cols], o.N, w.cols)
	d.runMat(w, a, out[:o.N*w.rows], bias)
	return nil
}

// biasOf validates an optional bias weight of n values and returns its floats.
func biasOf(b backend.Weight, n int) ([]float32, error) {
	if b == nil {
		return nil, nil
	}
	bw, err := asWeight(b)
	if err != nil {
		return nil, fmt.Errorf("bias: %w", err)
	}
	if bw.vec == nil || bw.cols != n {
		return nil, fmt.Errorf("bias (%d, %d) for %d outputs: %w", bw.rows, bw.cols, n, ErrInvalidOp)
	}
	return bw.vec, nil
}

// runMat computes out (N, rows) = X·Wᵀ (+ bias) split by row chunks across the pool.
// Rows of a packed weight go through the path's interleaved kernel, in chunks of whole
// groups; the rows after the last group through the GGUF-layout kernel.
func (d *Device) runMat(w *weight, a *act, out []float32, bias []float32) {
	kern := d.k.mat[w.typ]
	pk := d.k.packed[w.typ]
	if pk != nil {
		w.packOnce.Do(func() { d.pack(w) })
	}
	rows, n := w.rows, a.n
	grain := d.pool.splitGrain(rows, 4)
	if n > 1 {
		grain = min(grain, max(4, chunkBytes/w.rowBytes))
	}
	packed := 0
	if w.packed != nil && pk != nil {
		packed = w.packedRows
		unit := packGrain(w.typ)
		grain = (grain + unit - 1) / unit * unit
	}
	d.pool.parallel(rows, grain, func(_, lo, hi int) {
		plo, phi := lo, min(hi, packed)
		glo, ghi := lo, hi
		if phi > plo {
			gb := w.packedGroupBytes
			pw := w.packed[plo/packRows*gb : phi/packRows*gb]
			for t0 := 0; t0 < n; t0 += tokenTile {
				nt := min(tokenTile, n-t0)
				pk(pw, (phi-plo)/packRows, a, t0, nt, out[t0*rows+plo:], rows)
			}
			glo = phi
		}
		if ghi > glo {
			wb := w.data[glo*w.rowBytes : ghi*w.rowBytes]
			for t0 := 0; t0 < n; t0 += tokenTile {
				nt := min(tokenTile, n-t0)
				kern(wb, ghi-glo, a, t0, nt, out[t0*rows+glo:], rows)
			}
		}
		if bias != nil {
			for t := 0; t < n; t++ {
				row := out[t*rows+lo : t*rows+hi]
				for i, b := range bias[lo:hi] {
					row[i] += b
				}
			}
		}
	})
}

// prepareAct puts n rows of x into the form kind's kernels read, quantising in parallel.
func (d *Device) prepareAct(kind actKind, x []float32, n, cols int) *act {
	a := &act{n: n, cols: cols}
	switch kind {
	case actF32:
		a.f32 = x
	case actQ8_0:
		s := &d.scratch
		s.qs, s.d, s.xsum = grow(s.qs, n*cols), grow(s.d, n*cols/qk8), grow(s.xsum, n*cols/qk8)
		a.qs, a.d, a.xsum = s.qs, s.d, s.xsum
		nb := cols / qk8
		d.pool.parallel(n, 1, func(_, lo, hi int) {
			for t := lo; t < hi; t++ {
				qs := a.qs[t*cols : (t+1)*cols]
				d.k.quantQ8_0(x[t*cols:(t+1)*cols], qs, a.d[t*nb:(t+1)*nb])
				blockSums(qs, a.xsum[t*nb:(t+1)*nb])
			}
		})
	case actQ8K:
		s := &d.scratch
		s.qs, s.d, s.bsums = grow(s.qs, n*cols), grow(s.d, n*cols/qkK), grow(s.bsums, n*cols/16)
		a.qs, a.d, a.bsums = s.qs, s.d, s.bsums
		nb, ns := cols/qkK, cols/16
		d.pool.parallel(n, 1, func(_, lo, hi int) {
			for t := lo; t < hi; t++ {
				d.k.quantQ8K(x[t*cols:(t+1)*cols], a.qs[t*cols:(t+1)*cols], a.d[t*nb:(t+1)*nb], a.bsums[t*ns:(t+1)*ns])
			}
		})
	}
	return a
}
