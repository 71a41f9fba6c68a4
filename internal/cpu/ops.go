package cpu

import (
	"fmt"
	"math"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// Supports implements backend.Device: every op of package backend runs here.
func (d *Device) Supports(op backend.Op) bool {
	switch op.(type) {
	case backend.Embed, backend.RMSNorm, backend.MatMul, backend.RoPE, backend.SwiGLU,
		backend.Add, backend.KVWrite, backend.KVSetPos, backend.KVCopy, backend.Attention,
		backend.Argmax, backend.Copy:
		return true
	}
	return false
}

func (d *Device) runOp(op backend.Op) error {
	switch o := op.(type) {
	case backend.Embed:
		return d.embed(o)
	case backend.RMSNorm:
		return d.rmsNorm(o)
	case backend.MatMul:
		return d.matMul(o)
	case backend.RoPE:
		return d.rope(o)
	case backend.SwiGLU:
		return d.swiGLU(o)
	case backend.Add:
		return d.add(o)
	case backend.KVWrite:
		return kvWrite(o)
	case backend.KVSetPos:
		return kvSetPos(o)
	case backend.KVCopy:
		return kvCopy(o)
	case backend.Attention:
		return d.attention(o)
	case backend.Argmax:
		return argmax(o)
	case backend.Copy:
		return copyOp(o)
	}
	return backend.ErrUnsupported
}

// elementGrain is the smallest slice of an elementwise op worth a worker.
const elementGrain = 16 << 10

func (d *Device) embed(o backend.Embed) error {
	w, err := asWeight(o.Table)
	if err != nil {
		return err
	}
	out, err := asBuffer(o.Out, len(o.Tokens)*w.cols)
	if err != nil {
		return fmt.Errorf("Out: %w", err)
	}
	for i, id := range o.Tokens {
		if id < 0 || int(id) >= w.rows {
			return fmt.Errorf("token %d (#%d) outside [0, %d): %w", id, i, w.rows, ErrInvalidOp)
		}
	}
	// Rows come from the uploaded bytes, so a repacked table still embeds exactly.
	srcRow, _ := w.srcType.RowBytes(w.cols)
	d.pool.parallel(len(o.Tokens), max(1, elementGrain/w.cols), func(_, lo, hi int) {
		for t := lo; t < hi; t++ {
			r := int(o.Tokens[t])
			quant.DequantizeRow(w.srcType, w.src[r*srcRow:(r+1)*srcRow], out[t*w.cols:(t+1)*w.cols])
		}
	})
	return nil
}

func (d *Device) rmsNorm(o backend.RMSNorm) error {
	w, err := asWeight(o.W)
	if err != nil {
		return err
	}
	if o.N < 0 || o.Dim <= 0 || w.vec == nil || w.cols != o.Dim {
		return fmt.Errorf("N %d, Dim %d, weight (%d, %d): %w", o.N, o.Dim, w.rows, w.cols, ErrInvalidOp)
	}
	x, err := asBuffer(o.X, o.N*o.Dim)
	if err != nil {
		return fmt.Errorf("X: %w", err)
	}
	out, err := asBuffer(o.Out, o.N*o.Dim)
	if err != nil {
		return fmt.Errorf("Out: %w", err)
	}
	d.pool.parallel(o.N, max(1, elementGrain/o.Dim), func(_, lo, hi int) {
		for t := lo; t < hi; t++ {
			xs, dst := x[t*o.Dim:(t+1)*o.Dim], out[t*o.Dim:(t+1)*o.Dim]
			ss := d.k.sumSq(xs)/float32(o.Dim) + o.Eps
			scale := 1 / float32(math.Sqrt(float64(ss)))
			for i, v := range xs {
				dst[i] = w.vec[i] * (scale * v)
			}
		}
	})
	return nil
}

func (d *Device) swiGLU(o backend.SwiGLU) error {
	gate, up, out, err := threeBuffers(o.Gate, o.Up, o.Out, o.N)
	if err != nil {
		return err
	}
	d.pool.parallel(o.N, elementGrain, func(_, lo, hi int) {
		d.k.swiGLU(out[lo:hi], gate[lo:hi], up[lo:hi])
	})
	return nil
}

func (d *Device) add(o backend.Add) error {
	a, b, out, err := threeBuffers(o.A, o.B, o.Out, o.N)
	if err != nil {
		return err
	}
	d.pool.parallel(o.N, elementGrain, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = a[i] + b[i]
		}
	})
	return nil
}

// threeBuffers validates the operands of an elementwise op of n values.
func threeBuffers(a, b, c backend.Buffer, n int) (x, y, z []float32, err error) {
	if n < 0 {
		return nil, nil, nil, fmt.Errorf("N = %d: %w", n, ErrInvalidOp)
	}
	if x, err = asBuffer(a, n); err != nil {
		return nil, nil, nil, err
	}
	if y, err = asBuffer(b, n); err != nil {
		return nil, nil, nil, err
	}
	if z, err = asBuffer(c, n); err != nil {
		return nil, nil, nil, err
	}
	return x, y, z, nil
}

func argmax(o backend.Argmax) error {
	if o.N < 0 || o.Dim <= 0 {
		return fmt.Errorf("N %d, Dim %d: %w", o.N, o.Dim, ErrInvalidOp)
	}
	x, err := asBuffer(o.X, o.N*o.Dim)
	if err != nil {
		return fmt.Errorf("X: %w", err)
	}
	out, err := asBuffer(o.Out, o.N)
	if err != nil {
		return fmt.Errorf("Out: %w", err)
	}
	for t := 0; t < o.N; t++ {
		row := x[t*o.Dim : (t+1)*o.Dim]
		best := 0
		for i, v := range row {
			if v > row[best] {
				best = i
			}
		}
		out[t] = float32(best)
	}
	return nil
}

// copyOp copies a range between buffers (the ranges may overlap in one buffer).
func copyOp(o backend.Copy) error {
	if o.N < 0 || o.SrcOff < 0 || o.DstOff < 0 {
		return fmt.Errorf("copy of %d from %d to %d: %w", o.N, o.SrcOff, o.DstOff, ErrInvalidOp)
	}
	src, err := asBuffer(o.Src, o.SrcOff+o.N)
	if err != nil {
		return fmt.Errorf("Src: %w", err)
	}
	dst, err := asBuffer(o.Dst, o.DstOff+o.N)
	if err != nil {
		return fmt.Errorf("Dst: %w", err)
	}
	copy(dst[o.DstOff:o.DstOff+o.N], src[o.SrcOff:o.SrcOff+o.N])
	return nil
}
