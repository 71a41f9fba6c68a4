package cpu

import (
	"fmt"
	"slices"
	"sync"
	"unsafe"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// weight is a matrix in GGUF layout: rows of rowBytes bytes, row r = the Cols inputs of
// output r. data aliases the uploaded bytes unless the weight was repacked.
type weight struct {
	name       string
	typ        quant.Type // the layout the kernels read
	srcType    quant.Type // the uploaded type (differs from typ after a repack)
	rows, cols int
	rowBytes   int
	data       []byte    // (rows, rowBytes)
	alias      bool      // data is the caller's slice
	src        []byte    // the uploaded bytes (srcType), which Embed reads exactly
	vec        []float32 // (cols) float32 copy of a single-row weight (norms, biases)

	// The first packedRows rows in the kernel path's interleaved layout (pack.go), made at
	// the first MatMul when the path has one for typ; the rest are read from data.
	packOnce         sync.Once
	packed           []byte
	packedRows       int
	packedGroupBytes int
}

func (w *weight) Type() quant.Type { return w.typ }
func (w *weight) Rows() int        { return w.rows }
func (w *weight) Cols() int        { return w.cols }

// UploadWeight implements backend.Device. The device keeps the caller's bytes (no copy),
// so data must stay valid and unchanged while the device uses the weight. Types without
// matrix kernels are also converted once for MatMul, which Type() then reports: to Q8_0
// when the rows split into blocks of 32, else to F32 (Embed still reads the original
// bytes). Misaligned F32 bytes are copied. Paths with interleaved kernels also keep the
// whole sixteen-row groups of a weight a second time in that layout (pack.go), made when
// a MatMul first uses it (an embedding only looked up is never repacked).
func (d *Device) UploadWeight(name string, t quant.Type, rows, cols int, data []byte) (backend.Weight, error) {
	if d.isClosed() {
		return nil, ErrClosed
	}
	if rows <= 0 || cols <= 0 {
		return nil, fmt.Errorf("cpu: weight %s: shape (%d, %d): %w", name, rows, cols, ErrInvalidOp)
	}
	rowBytes, err := t.RowBytes(cols)
	if err != nil {
		return nil, fmt.Errorf("cpu: weight %s: %w: %w", name, err, ErrInvalidOp)
	}
	if need := int64(rowBytes) * int64(rows); int64(len(data)) != need {
		return nil, fmt.Errorf("cpu: weight %s: %d bytes, want %d: %w", name, len(data), need, ErrInvalidOp)
	}
	w := &weight{name: name, typ: t, srcType: t, rows: rows, cols: cols, rowBytes: rowBytes, data: data, alias: true, src: data}
	switch {
	case !slices.Contains(kernelTypes, t):
		if err := repack(w); err != nil {
			return nil, fmt.Errorf("cpu: weight %s: %w", name, err)
		}
	case t == quant.F32 && uintptr(unsafe.Pointer(unsafe.SliceData(data)))%4 != 0:
		f := make([]float32, len(data)/4)
		copy(f32Bytes(f), data)
		w.data, w.alias = f32Bytes(f), false
		w.src = w.data
	}
	if rows == 1 {
		w.vec = make([]float32, cols)
		quant.DequantizeRow(w.typ, w.data, w.vec)
	}
	return w, nil
}

// repack converts a weight whose type has no kernel to Q8_0 (or F32 when the rows do not
// split into blocks of 32), row by row.
func repack(w *weight) error {
	if !quant.CanDequantize(w.srcType) {
		return fmt.Errorf("type %s: %w", w.srcType, backend.ErrUnsupported)
	}
	to := quant.F32
	if w.cols%qk8 == 0 {
		to = quant.Q8_0
	}
	rowBytes, err := to.RowBytes(w.cols)
	if err != nil {
		return err
	}
	if uint64(rowBytes)*uint64(w.rows) > maxAlloc() {
		return fmt.Errorf("repack to %s: %w", to, backend.ErrOutOfMemory)
	}
	out := make([]float32, (rowBytes*w.rows+3)/4) // float32 storage keeps F32 rows aligned
	dst := f32Bytes(out)[:rowBytes*w.rows]
	tmp := make([]float32, w.cols)
	for r := 0; r < w.rows; r++ {
		quant.DequantizeRow(w.srcType, w.data[r*w.rowBytes:(r+1)*w.rowBytes], tmp)
		if err := quant.Quantize(to, tmp, dst[r*rowBytes:(r+1)*rowBytes]); err != nil {
			return err
		}
	}
	w.typ, w.rowBytes, w.data, w.alias = to, rowBytes, dst, false
	return nil
}

// f32Bytes views float32 storage as bytes.
func f32Bytes(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f))
}

// asWeight returns w as this package's weight.
func asWeight(w backend.Weight) (*weight, error) {
	cw, ok := w.(*weight)
	if !ok || cw == nil {
		return nil, fmt.Errorf("weight %T: %w", w, ErrForeign)
	}
	return cw, nil
}

// Repacked reports whether a weight uploaded to a CPU device was converted or copied at
// upload instead of aliasing the caller's bytes.
func Repacked(w backend.Weight) bool {
	cw, ok := w.(*weight)
	return ok && cw != nil && !cw.alias
}
