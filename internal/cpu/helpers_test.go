package cpu

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scopekv/scope/model/quant"
)

// guard is written around every output a test hands to a kernel; a kernel that writes
// outside its range changes it.
const guard = float32(-12345.678)

// guarded returns a slice of n values with pad guard values on each side, and the inner part.
func guarded(n, pad int) (all, inner []float32) {
	all = make([]float32, n+2*pad)
	for i := range all {
		all[i] = guard
	}
	return all, all[pad : pad+n]
}

// checkGuards fails unless the pad values on each side of all are intact.
func checkGuards(t *testing.T, all []float32, pad int, what string) {
	t.Helper()
	for i := 0; i < pad; i++ {
		if all[i] != guard || all[len(all)-1-i] != guard {
			t.Fatalf("%s: guard overwritten (index %d from an end)", what, i)
		}
	}
}

func randFloats(r *rand.Rand, n int, scale float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = (r.Float32()*2 - 1) * scale
	}
	return x
}

// randWeight returns rows x cols weights of type t with random contents: random bit
// patterns for the quantised values (so extremes such as -128 occur) and sane scales.
func randWeight(r *rand.Rand, t quant.Type, rows, cols int) []byte {
	rowBytes, err := t.RowBytes(cols)
	if err != nil {
		panic(err)
	}
	b := make([]byte, rows*rowBytes)
	half := func(off int, scale float32) {
		binary.LittleEndian.PutUint16(b[off:], quant.F32ToF16((r.Float32()*2-1)*scale))
	}
	switch t {
	case quant.F32:
		for i := 0; i < len(b); i += 4 {
			binary.LittleEndian.PutUint32(b[i:], math.Float32bits(r.Float32()*2-1))
		}
		return b
	case quant.F16:
		for i := 0; i < len(b); i += 2 {
			half(i, 1)
		}
		return b
	case quant.BF16:
		for i := 0; i < len(b); i += 2 {
			binary.LittleEndian.PutUint16(b[i:], quant.F32ToBF16(r.Float32()*2-1))
		}
		return b
	}
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	bs := t.BlockBytes()
	for off := 0; off < len(b); off += bs {
		switch t {
		case quant.Q8_0, quant.Q4_0:
			half(off, 0.02)
		case quant.Q4_K:
			half(off, 0.01)
			half(off+2, 0.01)
		case quant.Q6_K:
			half(off+208, 0.01)
		default:
			panic(fmt.Sprint("randWeight: type ", t))
		}
	}
	return b
}

// dequant returns the float32 values of a weight (via package quant, independent of the
// kernels under test).
func dequant(t quant.Type, data []byte, n int) []float32 {
	out := make([]float32, n)
	if err := quant.Dequantize(t, data, out); err != nil {
		panic(err)
	}
	return out
}
