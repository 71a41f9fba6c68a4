package cpu

import (
	"fmt"
	"math"

	"github.com/scopekv/scope/internal/backend"
)

func (d *Device) rope(o backend.RoPE) error {
	if o.N < 0 || o.NHeads <= 0 || o.HeadDim <= 0 || o.RopeDim <= 0 || o.RopeDim%2 != 0 ||
		o.RopeDim > o.HeadDim || len(o.Pos) < o.N || (o.Factors != nil && len(o.Factors) < o.RopeDim/2) {
		return fmt.Errorf("N %d, heads %d, headDim %d, ropeDim %d, %d positions, %d factors: %w",
			o.N, o.NHeads, o.HeadDim, o.RopeDim, len(o.Pos), len(o.Factors), ErrInvalidOp)
	}
	stride := o.NHeads * o.HeadDim
	x, err := asBuffer(o.X, o.N*stride)
	if err != nil {
		return fmt.Errorf("X: %w", err)
	}
	half := o.RopeDim / 2
	freq := make([]float64, half)
	for i := range freq {
		freq[i] = 1 / math.Pow(float64(o.Base), float64(2*i)/float64(o.RopeDim))
		if o.Factors != nil {
			freq[i] /= float64(o.Factors[i])
		}
	}
	d.pool.parallel(o.N, max(1, elementGrain/stride), func(w, lo, hi int) {
		cs := d.scratch.workerScratch(w, 2*half)
		for t := lo; t < hi; t++ {
			for i, f := range freq {
				s, c := math.Sincos(float64(o.Pos[t]) * f)
				cs[2*i], cs[2*i+1] = float32(c), float32(s)
			}
			for h := 0; h < o.NHeads; h++ {
				rotateHead(x[t*stride+h*o.HeadDim:t*stride+(h+1)*o.HeadDim], cs, o.NeoX)
			}
		}
	})
	return nil
}

// rotateHead rotates the pairs of one head by the angles whose cos/sin are interleaved
// in cs: pairs (2i, 2i+1), or (i, i+half) in the NeoX layout.
func rotateHead(head, cs []float32, neox bool) {
	half := len(cs) / 2
	for i := 0; i < half; i++ {
		c, s := cs[2*i], cs[2*i+1]
		a, b := 2*i, 2*i+1
		if neox {
			a, b = i, i+half
		}
		x0, x1 := head[a], head[b]
		head[a] = x0*c - x1*s
		head[b] = x0*s + x1*c
	}
}
