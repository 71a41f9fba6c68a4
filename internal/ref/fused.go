package ref

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
)

// runFused runs the fused ops as the plain ops they stand for; ok is false for other ops.
func (d *Device) runFused(op backend.Op) (ok bool, err error) {
	switch o := op.(type) {
	case backend.ReadBack:
		copy(o.Dst, buf(o.Src))
	case backend.Linear:
		return true, runLinear(o)
	case backend.RoPEKV:
		for _, p := range o.Unfused() {
			if err := d.run(p); err != nil {
				return true, err
			}
		}
	default:
		return false, nil
	}
	return true, nil
}

func runLinear(o backend.Linear) error {
	widths, ok := o.OutWidths()
	if !ok {
		return fmt.Errorf("linear: outputs %d, widths %v for %d rows (gated %v)", len(o.Outs), o.Widths, o.W.Rows(), o.Gated)
	}
	w := o.W.(*Weight)
	x := buf(o.X)
	var norm, xn []float32
	if o.Norm != nil {
		nw, ok := o.Norm.(*Weight)
		if !ok || nw.rows != 1 || nw.cols != w.cols {
			return fmt.Errorf("linear: Norm is not a 1x%d vector", w.cols)
		}
		norm, xn = nw.Data, make([]float32, w.cols)
	}
	y := make([]float32, w.rows)
	for t := 0; t < o.N; t++ {
		xt := x[t*w.cols : (t+1)*w.cols]
		if norm != nil {
			RMSNorm(xn, xt, norm, o.NormEps)
			xt = xn
		}
		MatVec(y, w.Data, xt, w.rows, w.cols)
		if o.Gated {
			for j := range widths[0] {
				y[j] = SiLU(y[2*j]) * y[2*j+1]
			}
		}
		r := 0
		for i, width := range widths {
			dst := buf(o.Outs[i])[t*width : (t+1)*width]
			for j := range dst {
				if o.Accumulate {
					dst[j] += y[r+j]
				} else {
					dst[j] = y[r+j]
				}
			}
			r += width
		}
	}
	return nil
}
