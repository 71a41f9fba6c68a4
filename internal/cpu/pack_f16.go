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

// packF16 writes the first groups*packRows rows of src (F16, cols per row) into dst in the
// interleaved F16 layout; dst holds groups*cols*f16PackBlock bytes. It walks the output
// in runs of 64 columns.
func packF16(dst, src []byte, groups, cols int) {
	n := groups * packRows * cols
	if n == 0 {
		return
	}
	d, s := halves(dst[:2*n]), halves(src[:2*n])
	if d == nil || s == nil { // misaligned bytes: the same walk bytewise
		packF16Bytes(dst, src, groups, cols)
		return
	}
	var rows [packRows][]uint16
	for g := 0; g < groups; g++ {
		out := d[g*packRows*cols : (g+1)*packRows*cols]
		for r := range rows {
			rows[r] = s[(g*packRows+r)*cols : (g*packRows+r+1)*cols]
		}
		// 64 columns at a time: their output (2 KiB) stays in L1 while each row adds its
		// values, and each row is read sequentially (reading sixteen rows a few KiB apart
		// column by column thrashes the cache sets).
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

func packF16Bytes(dst, src []byte, groups, cols int) {
	rowBytes := 2 * cols
	for g := 0; g < groups; g++ {
		for r := 0; r < packRows; r++ {
			row := src[(g*packRows+r)*rowBytes : (g*packRows+r+1)*rowBytes]
			for c := 0; c < cols; c++ {
				o := dst[(g*cols+c)*f16PackBlock+2*r:]
				o[0], o[1] = row[2*c], row[2*c+1]
			}
		}
	}
}

// packGrain is the row multiple a worker's chunk of a packed weight of type t should be:
// the F16 kernels take two groups at a time (an odd group costs a pair's work).
func packGrain(t quant.Type) int {
	if t == quant.F16 {
		return 2 * packRows
	}
	return packRows
}
