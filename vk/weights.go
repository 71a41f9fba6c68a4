//go:build cgo && !novulkan && linux

package vk

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// weight is a matrix in device memory, stored in its GGUF row layout and split by rows
// into parts of at most maxStorageBufferRange bytes.
type weight struct {
	d          *Device
	name       string
	typ        quant.Type // the stored type
	rows, cols int
	rowBytes   int
	parts      []weightPart
}

// weightPart holds rows [row0, row0+rows) of a weight.
type weightPart struct {
	a          allocation
	row0, rows int
}

func (w *weight) Type() quant.Type { return w.typ }
func (w *weight) Rows() int        { return w.rows }
func (w *weight) Cols() int        { return w.cols }

// nativeTypes are the types the kernels read directly (shaders/quant.glsl).
var nativeTypes = map[quant.Type]string{
	quant.F32: "f32", quant.F16: "f16", quant.Q8_0: "q8_0",
	quant.Q4_0: "q4_0", quant.Q4_K: "q4_k", quant.Q6_K: "q6_k",
}

// storedType is the type a weight of type t with the given rows is kept as: vectors (one
// row: norms, biases) and BF16 become F32, other types without a kernel F16.
func storedType(t quant.Type, rows int) (quant.Type, error) {
	if t == quant.F32 {
		return t, nil
	}
	if !quant.CanDequantize(t) {
		return 0, unsupported("weight type %s", t)
	}
	switch {
	case rows == 1 || t == quant.BF16:
		return quant.F32, nil
	case nativeTypes[t] != "":
		return t, nil
	}
	return quant.F16, nil
}

// maxRange is the largest range one descriptor may view and one allocation may hold:
// weight parts, KV chunks and buffers are sized by it, so a driver whose allocation limit
// is below its descriptor range (2 GiB on some) still takes large weights and KV stores.
// Tests may lower it.
func (d *Device) maxRange() int64 {
	r := min(d.phys.maxStorageBufferRange, d.allocLimit()) - d.slackBytes()
	if d.opts.maxRange > 0 {
		r = min(r, d.opts.maxRange)
	}
	return r
}

// allocLimit is the largest single memory allocation (tests may lower it).
func (d *Device) allocLimit() int64 {
	if d.opts.maxAllocation > 0 {
		return min(d.opts.maxAllocation, d.phys.maxAllocation)
	}
	return d.phys.maxAllocation
}

// UploadWeight implements backend.Device.
func (d *Device) UploadWeight(name string, t quant.Type, rows, cols int, data []byte) (backend.Weight, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.usable(); err != nil {
		return nil, err
	}
	if rows <= 0 || cols <= 0 {
		return nil, fmt.Errorf("vulkan: weight %s: shape %dx%d", name, rows, cols)
	}
	srcRow, err := t.RowBytes(cols)
	if err != nil {
		return nil, fmt.Errorf("vulkan: weight %s: %w", name, err)
	}
	if need := int64(rows) * int64(srcRow); int64(len(data)) < need {
		return nil, fmt.Errorf("vulkan: weight %s: %d bytes for %dx%d %s, need %d", name, len(data), rows, cols, t, need)
	}
	st, err := storedType(t, rows)
	if err != nil {
		return nil, fmt.Errorf("vulkan: weight %s: %w", name, err)
	}
	rowBytes, _ := st.RowBytes(cols)
	perPart := int((d.maxRange() - 16) / int64(rowBytes))
	if perPart < 1 {
		return nil, unsupported("weight %s: one row of %d bytes exceeds the storage buffer range", name, rowBytes)
	}
	if perPart > 1 {
		perPart &^= 1 // even, so that no part splits a gate/up row pair (backend.Linear)
	}
	w := &weight{d: d, name: name, typ: st, rows: rows, cols: cols, rowBytes: rowBytes}
	for r0 := 0; r0 < rows; r0 += perPart {
		n := min(perPart, rows-r0)
		part, err := d.uploadRows(t, st, cols, data[r0*srcRow:(r0+n)*srcRow], n*rowBytes)
		if err != nil {
			return nil, fmt.Errorf("vulkan: weight %s: %w", name, err)
		}
		w.parts = append(w.parts, weightPart{a: part, row0: r0, rows: n})
	}
	return w, nil
}

// uploadRows converts src (rows of type t) to type st and uploads it.
func (d *Device) uploadRows(t, st quant.Type, cols int, src []byte, size int) (allocation, error) {
	a, err := d.alloc(&d.devHeap, int64(size))
	if err != nil {
		return allocation{}, err
	}
	if t != st {
		if src, err = convertRows(t, st, cols, src); err != nil {
			return allocation{}, err
		}
	}
	if err := d.upload(a, 0, src); err != nil {
		return allocation{}, err
	}
	if pad := int(a.size) - len(src); pad > 0 { // the last word's unused bytes
		return a, d.upload(a, int64(len(src)), make([]byte, pad))
	}
	return a, nil
}

// convertRows dequantises rows of type t and encodes them as F32 or F16.
func convertRows(t, st quant.Type, cols int, src []byte) ([]byte, error) {
	srcRow, _ := t.RowBytes(cols)
	rows := len(src) / srcRow
	f := make([]float32, rows*cols)
	if err := quant.Dequantize(t, src, f); err != nil {
		return nil, unsupported("%v", err)
	}
	if st == quant.F32 {
		out := make([]byte, 4*len(f))
		for i, v := range f {
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
		}
		return out, nil
	}
	out := make([]byte, 2*len(f))
	for i, v := range f {
		binary.LittleEndian.PutUint16(out[2*i:], quant.F32ToF16(v))
	}
	return out, nil
}

// ownWeight checks that w is a weight of this device.
func (d *Device) ownWeight(w backend.Weight, what string) (*weight, error) {
	vw, ok := w.(*weight)
	if !ok || vw == nil || vw.d != d {
		return nil, fmt.Errorf("%s is not a weight of this device", what)
	}
	return vw, nil
}
