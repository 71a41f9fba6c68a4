package cpu

import (
	"unsafe"

	"github.com/scopekv/scope/model/quant"
)

// F16 weights are repacked like the quantised ones, sixteen rows side by side: for each
// group of sixteen rows and each column, the sixteen rows' halves (32 bytes, row r at
// bytes 2r..2r+1). A kernel converts each 32 bytes once into a vector of sixteen floats
// and multiplies it with one activation broadcast across lanes, for any number of tokens,
// so the sums are per row in vector lanes and need no horizontal reduction.
const f16PackBlock = 2 * packRows

// F32 weights take the same layout with the sixteen rows' floats per column (64 bytes,
// one cache line).
const f32PackBlock = 4 * packRows

// packF16 writes the first groups*packRows rows of src (F16, cols per row) into dst in the
// interleaved F16 layout; dst holds groups*cols*f16PackBlock bytes.
func packF16(dst, src []byte, groups, cols int) {
	n := groups * packRows * cols
	d, s := halves(dst[:2*n]), halves(src[:2*n])
	if d == nil || s == nil { // misaligned bytes: the same walk bytewise
		packLanesBytes(dst, src, groups, cols, 2)
		return
	}
	packLanes(d, s, groups, cols)
}

// packF32 is packF16 for F32 weights; dst holds groups*cols*f32PackBlock bytes.
func packF32(dst, src []byte, groups, cols int) {
	n := groups * packRows * cols
	d, s := words(dst[:4*n]), words(src[:4*n])
	if d == nil || s == nil {
		packLanesBytes(dst, src, groups, cols, 4)
		return
	}
	packLanes(d, s, groups, cols)
}

// packLanes interleaves groups of sixteen rows of cols values, walking the output in
// runs of 64 columns.
func packLanes[T uint16 | uint32](d, s []T, groups, cols int) {
	if groups*cols == 0 {
		return
	}
	var rows [packRows][]T
	for g := 0; g < groups; g++ {
		out := d[g*packRows*cols : (g+1)*packRows*cols]
		for r := range rows {
			rows[r] = s[(g*packRows+r)*cols : (g*packRows+r+1)*cols]
		}
		// 64 columns at a time: their output (2 or 4 KiB) stays in L1 while each row adds
		// its values, and each row is read sequentially (reading sixteen rows a few KiB
		// apart column by column thrashes the cache sets).
		for c0 := 0; c0 < cols; c0 += 64 {
			c1 := min(c0+64, cols)
			for r, row := range rows {
				o := out[c0*packRows+r:]
				for i, v := range row[c0:c1] {
					o[i*packRows] = v
				}
			}
		}
	}
}

// halves views b as little-endian uint16 values, or returns nil when b is not 2-aligned.
func halves(b []byte) []uint16 {
	p := unsafe.Pointer(unsafe.SliceData(b))
	if uintptr(p)%2 != 0 || !littleEndian() {
		return nil
	}
	return unsafe.Slice((*uint16)(p), len(b)/2)
}

// words views b as little-endian uint32 values, or returns nil when b is not 4-aligned.
func words(b []byte) []uint32 {
	p := unsafe.Pointer(unsafe.SliceData(b))
	if uintptr(p)%4 != 0 || !littleEndian() {
		return nil
	}
	return unsafe.Slice((*uint32)(p), len(b)/4)
}

// packLanesBytes is packLanes over values of size bytes each, for misaligned buffers.
func packLanesBytes(dst, src []byte, groups, cols, size int) {
	rowBytes := size * cols
	for g := 0; g < groups; g++ {
		for r := 0; r < packRows; r++ {
			row := src[(g*packRows+r)*rowBytes : (g*packRows+r+1)*rowBytes]
			for c := 0; c < cols; c++ {
				at := (g*cols+c)*packRows*size + size*r
				copy(dst[at:at+size], row[size*c:size*(c+1)])
			}
		}
	}
}

// packGrain is the row multiple a worker's chunk of a packed weight of type t should be:
// the float kernels take two groups at a time (an odd group costs a pair's work).
func packGrain(t quant.Type) int {
	if t == quant.F16 || t == quant.F32 {
		return 2 * packRows
	}
	return packRows
}
