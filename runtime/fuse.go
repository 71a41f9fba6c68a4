package runtime

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
)

// fusion records which fused ops the device runs (backend.Linear, its norm prologue,
// RoPEKV, ReadBack): a step then takes fewer than half the launches and one submission.
type fusion struct {
	linear, norm, ropeKV, readBack bool
}

func detectFusion(dev backend.Device) fusion {
	linear := dev.Supports(backend.Linear{})
	return fusion{linear: linear, norm: linear && dev.Supports(backend.Linear{Norm: normProbe{}}),
		ropeKV: dev.Supports(backend.RoPEKV{}), readBack: dev.Supports(backend.ReadBack{})}
}

// normProbe is a stand-in norm vector that asks Supports about Linear's norm prologue.
type normProbe struct{}

func (normProbe) Type() quant.Type { return quant.F32 }
func (normProbe) Rows() int        { return 1 }
func (normProbe) Cols() int        { return 1 }

// appendNorm emits the RMSNorm of x's n rows into out for a consumer. Where the consumer
// is a Linear (linear) and the device runs Linear's norm prologue it emits nothing: the
// consumer normalises x itself. It returns the consumer's input and Norm (nil when the
// RMSNorm was emitted).
func (f *forward) appendNorm(ops []backend.Op, x, out backend.Buffer, w backend.Weight, n int,
	linear bool) ([]backend.Op, backend.Buffer, backend.Weight) {
	if linear && f.m.fuse.norm {
		return ops, x, w
	}
	c := f.m.file.Config
	return append(ops, backend.RMSNorm{X: x, Out: out, W: w, N: n, Dim: c.Dim, Eps: c.NormEps}), out, nil
}

// classifier is the logits' product of x's rows, after the final norm as its prologue
// when norm is set (appendNorm).
func (f *forward) classifier(x backend.Buffer, norm backend.Weight, rows int) backend.Op {
	a, c := f.acts, f.m.file.Config
	if norm != nil {
		return backend.Linear{W: f.m.w.output, X: x, N: rows, Outs: []backend.Buffer{a.logits}, Norm: norm,
			NormEps: c.NormEps}
	}
	return backend.MatMul{W: f.m.w.output, X: x, Out: a.logits, N: rows}
}

// uploadFused uploads a layer's Q, K and V as one weight (rows concatenated) and its gate
// and up as one (rows interleaved: gate j, up j), where the device runs backend.Linear and
// the tensors share a type (and Q, K, V have no bias). The separate tensors are then not
// uploaded; a nil result means the plain ops.
func (m *Model) uploadFused(l *model.Layer) (qkv, gateUp backend.Weight, err error) {
	if !m.fuse.linear {
		return nil, nil, nil
	}
	if sameType(&l.Wq, &l.Wk, &l.Wv) && l.Bq.Data == nil && l.Bk.Data == nil && l.Bv.Data == nil {
		data := append(append(append([]byte(nil), l.Wq.Data...), l.Wk.Data...), l.Wv.Data...)
		qkv, err = m.dev.UploadWeight(l.Wq.Name+"+k+v", l.Wq.Type, l.Wq.Rows+l.Wk.Rows+l.Wv.Rows, l.Wq.Cols, data)
		if err != nil {
			return nil, nil, fmt.Errorf("uploading %s with K and V: %w", l.Wq.Name, err)
		}
	}
	if sameType(&l.WGate, &l.WUp) && l.WGate.Rows == l.WUp.Rows {
		data, err := interleaveRows(&l.WGate, &l.WUp)
		if err != nil {
			return nil, nil, err
		}
		gateUp, err = m.dev.UploadWeight(l.WGate.Name+"+up", l.WGate.Type, 2*l.WGate.Rows, l.WGate.Cols, data)
		if err != nil {
			return nil, nil, fmt.Errorf("uploading %s with up: %w", l.WGate.Name, err)
		}
	}
	return qkv, gateUp, nil
}

// sameType reports whether the tensors are present, of one type and of one width.
func sameType(ts ...*model.Tensor) bool {
	for _, t := range ts {
		if t.Data == nil || t.Type != ts[0].Type || t.Cols != ts[0].Cols {
			return false
		}
	}
	return true
}

// interleaveRows returns a's and b's rows alternated: a0, b0, a1, b1, ...
func interleaveRows(a, b *model.Tensor) ([]byte, error) {
	rb, err := a.Type.RowBytes(a.Cols)
	if err != nil {
		return nil, err
	}
	if len(a.Data) < a.Rows*rb || len(b.Data) < a.Rows*rb {
		return nil, fmt.Errorf("%s or %s is shorter than %d rows", a.Name, b.Name, a.Rows)
	}
	out := make([]byte, 0, 2*a.Rows*rb)
	for r := 0; r < a.Rows; r++ {
		out = append(out, a.Data[r*rb:(r+1)*rb]...)
		out = append(out, b.Data[r*rb:(r+1)*rb]...)
	}
	return out, nil
}
