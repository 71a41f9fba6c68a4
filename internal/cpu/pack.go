package cpu

import (
	"encoding/binary"
	"sync"
	"time"

	"github.com/scopekv/scope/model/quant"
)

// Interleaved weight layouts. A packed Q8_0 or Q4_0 weight holds its rows in groups of
// packRows; for each group and each block of 32 columns it stores the sixteen rows' f16
// scales (32 bytes) and then their values so that every 64 bytes hold four consecutive
// columns of all sixteen rows (row r at bytes 4r..4r+3). A kernel loads each 64 bytes
// once into a vector register and multiplies it with four activation bytes broadcast
// across lanes, for any number of tokens. Rows past the last whole group stay in GGUF
// layout.
const packRows = 16

// Packed block sizes per group of sixteen rows.
const (
	q8PackBlock = 32 + 16*32 // scales, then 8 runs of 64 bytes (Q8_0 values as w+128)
	q4PackBlock = 32 + 16*16 // scales, then 4 runs of 64 bytes (low nibbles: columns
	// 4j..4j+3, high nibbles: 16+4j..16+4j+3 for run j)
)

// packedBlockBytes returns the bytes per group and block of a packable type, or 0.
func packedBlockBytes(t quant.Type) int {
	switch t {
	case quant.Q8_0:
		return q8PackBlock
	case quant.Q4_0:
		return q4PackBlock
	case quant.Q4_K:
		return q4KPackBlock
	case quant.Q6_K:
		return q6KPackBlock
	case quant.F16:
		return f16PackBlock
	case quant.F32:
		return f32PackBlock
	}
	return 0
}

// packRowsOf writes the first groups*packRows rows of src (GGUF layout, nb blocks of t per row)
// into dst in the interleaved layout of t. dst holds groups*nb*packedBlockBytes(t) bytes.
func packRowsOf(t quant.Type, dst, src []byte, groups, nb int) {
	switch t {
	case quant.Q4_K:
		packQ4K(dst, src, groups, nb)
		return
	case quant.Q6_K:
		packQ6K(dst, src, groups, nb)
		return
	case quant.F16:
		packF16(dst, src, groups, nb)
		return
	case quant.F32:
		packF32(dst, src, groups, nb)
		return
	}
	bb, rowBytes := t.BlockBytes(), nb*t.BlockBytes()
	pb := packedBlockBytes(t)
	var flip uint32 // Q8_0 values become w+128: flipping the sign bit of each byte
	if t == quant.Q8_0 {
		flip = 0x80808080
	}
	runs := (bb - 2) / 4
	for g := 0; g < groups; g++ {
		for b := 0; b < nb; b++ {
			out := dst[(g*nb+b)*pb : (g*nb+b+1)*pb]
			for r := 0; r < packRows; r++ {
				blk := src[(g*packRows+r)*rowBytes+b*bb : (g*packRows+r)*rowBytes+(b+1)*bb]
				out[2*r], out[2*r+1] = blk[0], blk[1]
				q, o := blk[2:2+4*runs], out[32+4*r:32+4*r+64*(runs-1)+4]
				for run := range runs {
					binary.LittleEndian.PutUint32(o[64*run:], binary.LittleEndian.Uint32(q[4*run:])^flip)
				}
			}
		}
	}
}

// blockSums writes the sum of each block of 32 quantised activations.
func blockSums(qs []int8, sums []int32) {
	for b := range sums {
		var s int32
		for _, v := range qs[b*qk8 : (b+1)*qk8] {
			s += int32(v)
		}
		sums[b] = s
	}
}

// pack stores the whole row groups of w in the device path's interleaved layout when the
// path has kernels for it, and counts the work in the device's pack statistics. It runs
// once per weight, at its first MatMul.
func (d *Device) pack(w *weight) {
	pb := packedBlockBytes(w.typ)
	if d.k.packed[w.typ] == nil || pb == 0 || w.rows < packRows || w.cols%w.typ.BlockSize() != 0 {
		return
	}
	start := time.Now()
	groups, nb := w.rows/packRows, w.cols/w.typ.BlockSize()
	w.packed = make([]byte, groups*nb*pb)
	// Split the groups over the device's threads: packing a large model is load time.
	var wg sync.WaitGroup
	per := (groups + d.threads - 1) / d.threads
	for lo := 0; lo < groups; lo += per {
		hi := min(lo+per, groups)
		wg.Add(1)
		go func() {
			defer wg.Done()
			packRowsOf(w.typ, w.packed[lo*nb*pb:hi*nb*pb], w.data[lo*packRows*w.rowBytes:], hi-lo, nb)
		}()
	}
	wg.Wait()
	w.packedRows, w.packedGroupBytes = groups*packRows, nb*pb
	d.packStats.add(len(w.packed), time.Since(start))
}

// PackStats reports the weights a device stored a second time in an interleaved layout.
type PackStats struct {
	Tensors int           // weights repacked
	Bytes   int64         // memory they take besides the uploaded bytes
	Time    time.Duration // time spent repacking
}

type packCounter struct {
	mu sync.Mutex
	s  PackStats
}

func (c *packCounter) add(bytes int, dt time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Tensors++
	c.s.Bytes += int64(bytes)
	c.s.Time += dt
}

// PackStats returns what the device has repacked so far.
func (d *Device) PackStats() PackStats {
	d.packStats.mu.Lock()
	defer d.packStats.mu.Unlock()
	return d.packStats.s
}

// PackedBytes returns the memory the best kernel path of this CPU adds at upload for a
// weight of type t and shape (rows, cols): the size of its interleaved copy, or 0 when the
// weight is used as uploaded.
func PackedBytes(t quant.Type, rows, cols int) int64 {
	k, err := selectKernels("")
	pb := packedBlockBytes(t)
	if err != nil || k.packed[t] == nil || pb == 0 || rows < packRows || cols <= 0 || cols%t.BlockSize() != 0 {
		return 0
	}
	return int64(rows/packRows) * int64(cols/t.BlockSize()) * int64(pb)
}
