package ref

import (
	"context"
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/internal/sysmem"
	"github.com/scopekv/scope/model/quant"
)

// Device runs ops with the scalar functions of this package on host memory. Weights are
// dequantised to float32 once, at upload. It is the oracle for the other backends.
type Device struct{}

// NewDevice returns the scalar reference device.
func NewDevice() *Device { return &Device{} }

// Buffer is a host float32 buffer.
type Buffer struct {
	Data  []float32
	freed bool
}

// Len implements backend.Buffer.
func (b *Buffer) Len() int { return len(b.Data) }

// Weight is a dequantised host matrix.
type Weight struct {
	typ        quant.Type
	rows, cols int
	Data       []float32 // (rows, cols)
}

func (w *Weight) Type() quant.Type { return w.typ }
func (w *Weight) Rows() int        { return w.rows }
func (w *Weight) Cols() int        { return w.cols }

// KV is the host paged KV store.
type KV struct {
	layout backend.KVLayout
	K, V   []float32 // (slots, headDim)
	Pos    []int32   // (slots), -1 = empty
	freed  bool
}

func (kv *KV) Layout() backend.KVLayout { return kv.layout }

// Bytes implements backend.KVStore.
func (kv *KV) Bytes() int64 { return 4 * int64(len(kv.K)+len(kv.V)+len(kv.Pos)) }

func (d *Device) Caps() backend.Caps {
	return backend.Caps{Name: "reference (scalar)", Kind: backend.KindCPU, MemoryBytes: sysmem.Total()}
}

func (d *Device) UploadWeight(name string, t quant.Type, rows, cols int, data []byte) (backend.Weight, error) {
	out := make([]float32, rows*cols)
	if err := quant.Dequantize(t, data, out); err != nil {
		return nil, fmt.Errorf("weight %s: %w", name, err)
	}
	return &Weight{typ: t, rows: rows, cols: cols, Data: out}, nil
}

func (d *Device) NewBuffer(n int) (backend.Buffer, error) {
	return &Buffer{Data: make([]float32, n)}, nil
}

func (d *Device) NewKV(l backend.KVLayout) (backend.KVStore, error) {
	n := l.Slots()
	kv := &KV{layout: l, K: make([]float32, n*l.HeadDim), V: make([]float32, n*l.HeadDim), Pos: make([]int32, n)}
	for i := range kv.Pos {
		kv.Pos[i] = -1
	}
	return kv, nil
}

func (d *Device) Supports(op backend.Op) bool { return true }

func (d *Device) Read(b backend.Buffer, dst []float32) error {
	copy(dst, b.(*Buffer).Data)
	return nil
}

func (d *Device) Write(b backend.Buffer, src []float32) error {
	copy(b.(*Buffer).Data, src)
	return nil
}

func (d *Device) Close() error { return nil }

// Run executes the ops one after another.
func (d *Device) Run(ctx context.Context, ops []backend.Op) error {
	for _, op := range ops {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.run(op); err != nil {
			return err
		}
	}
	return nil
}

func buf(b backend.Buffer) []float32 { return b.(*Buffer).Data }

func (d *Device) run(op backend.Op) error {
	if ok, err := d.runFused(op); ok {
		return err
	}
	switch o := op.(type) {
	case backend.Embed:
		w := o.Table.(*Weight)
		out := buf(o.Out)
		for t, id := range o.Tokens {
			if id < 0 || int(id) >= w.rows {
				return fmt.Errorf("embed: token %d out of range [0,%d)", id, w.rows)
			}
			copy(out[t*w.cols:(t+1)*w.cols], w.Data[int(id)*w.cols:(int(id)+1)*w.cols])
		}
	case backend.RMSNorm:
		x, out, w := buf(o.X), buf(o.Out), o.W.(*Weight).Data
		for t := 0; t < o.N; t++ {
			RMSNorm(out[t*o.Dim:(t+1)*o.Dim], x[t*o.Dim:(t+1)*o.Dim], w, o.Eps)
		}
	case backend.MatMul:
		runMatMul(o)
	case backend.RoPE:
		x := buf(o.X)
		stride := o.NHeads * o.HeadDim
		for t := 0; t < o.N; t++ {
			RoPE(x[t*stride:(t+1)*stride], o.NHeads, o.HeadDim, o.RopeDim, o.Pos[t], o.NeoX, o.Base, o.Factors)
		}
	case backend.SwiGLU:
		SwiGLU(buf(o.Out)[:o.N], buf(o.Gate)[:o.N], buf(o.Up)[:o.N])
	case backend.Add:
		a, b, out := buf(o.A), buf(o.B), buf(o.Out)
		for i := 0; i < o.N; i++ {
			out[i] = a[i] + b[i]
		}
	case backend.Copy:
		copy(buf(o.Dst)[o.DstOff:o.DstOff+o.N], buf(o.Src)[o.SrcOff:o.SrcOff+o.N])
	case backend.KVWrite:
		kvWrite(o)
	case backend.KVSetPos:
		kv := o.KV.(*KV)
		for i, s := range o.Slots {
			kv.Pos[s] = o.Pos[i]
		}
	case backend.KVCopy:
		kvCopy(o)
	case backend.Attention:
		attention(o)
	case backend.Argmax:
		x, out := buf(o.X), buf(o.Out)
		for t := 0; t < o.N; t++ {
			out[t] = float32(Argmax(x[t*o.Dim : (t+1)*o.Dim]))
		}
	default:
		return fmt.Errorf("ref: op %T: %w", op, backend.ErrUnsupported)
	}
	return nil
}

func runMatMul(o backend.MatMul) {
	w := o.W.(*Weight)
	x, out := buf(o.X), buf(o.Out)
	for t := 0; t < o.N; t++ {
		dst := out[t*w.rows : (t+1)*w.rows]
		MatVec(dst, w.Data, x[t*w.cols:(t+1)*w.cols], w.rows, w.cols)
		if o.Bias != nil {
			for r, b := range o.Bias.(*Weight).Data {
				dst[r] += b
			}
		}
	}
}

func kvWrite(o backend.KVWrite) {
	kv := o.KV.(*KV)
	hd := kv.layout.HeadDim
	k, v := buf(o.K), buf(o.V)
	units := o.NKVHeads * o.UnitsPerKVHead
	for t := 0; t < o.N; t++ {
		for u := 0; u < units; u++ {
			s := o.Slots[t*units+u]
			if s < 0 {
				continue
			}
			h := u / o.UnitsPerKVHead
			src := (t*o.NKVHeads + h) * hd
			copy(kv.K[int(s)*hd:(int(s)+1)*hd], k[src:src+hd])
			copy(kv.V[int(s)*hd:(int(s)+1)*hd], v[src:src+hd])
			kv.Pos[s] = o.Pos[t]
		}
	}
}

func kvCopy(o backend.KVCopy) {
	kv := o.KV.(*KV)
	hd := kv.layout.HeadDim
	for i, src := range o.Src {
		dst := o.Dst[i]
		copy(kv.K[int(dst)*hd:(int(dst)+1)*hd], kv.K[int(src)*hd:(int(src)+1)*hd])
		copy(kv.V[int(dst)*hd:(int(dst)+1)*hd], kv.V[int(src)*hd:(int(src)+1)*hd])
		kv.Pos[dst] = kv.Pos[src]
		kv.Pos[src] = -1
	}
}
