package cpu

import (
	"encoding/binary"
	"math"
	"sync"
	"unsafe"

	"github.com/scopekv/scope/model/quant"
)

// genericKernels is the plain Go path: every platform, and the reference for the others.
func genericKernels() *kernelSet {
	return &kernelSet{
		name:      "generic",
		features:  "generic",
		dot:       dotGeneric,
		axpy:      axpyGeneric,
		sumSq:     sumSqGeneric,
		expSum:    expSumGeneric,
		pv:        pvWith(axpyGeneric),
		swiGLU:    swiGLUGeneric,
		quantQ8_0: quantQ8_0Generic,
		quantQ8K:  quantQ8KGeneric,
		mat: map[quant.Type]matKernel{
			quant.F32:  matF32Generic,
			quant.F16:  matF16Generic,
			quant.BF16: matBF16Generic,
			quant.Q8_0: matQ8_0Generic,
			quant.Q4_0: matQ4_0Generic,
			quant.Q4_K: matQ4KGeneric,
			quant.Q6_K: matQ6KGeneric,
		},
	}
}

func dotGeneric(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func axpyGeneric(y []float32, a float32, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

func sumSqGeneric(x []float32) float32 {
	var s0, s1 float32
	i := 0
	for ; i+2 <= len(x); i += 2 {
		s0 += x[i] * x[i]
		s1 += x[i+1] * x[i+1]
	}
	if i < len(x) {
		s0 += x[i] * x[i]
	}
	return s0 + s1
}

// expSumGeneric sets x[i] = exp(x[i]-m) (float64 exp, as the reference) and returns
// the sum. exp(-Inf) is 0, which marks excluded softmax entries.
func expSumGeneric(x []float32, m float32) float32 {
	var sum float32
	for i, v := range x {
		e := float32(math.Exp(float64(v - m)))
		x[i] = e
		sum += e
	}
	return sum
}

func swiGLUGeneric(out, gate, up []float32) {
	up, out = up[:len(gate)], out[:len(gate)]
	for i, g := range gate {
		out[i] = g / (1 + float32(math.Exp(float64(-g)))) * up[i]
	}
}

// bytesToF32 views little-endian float32 bytes as floats. Upload guarantees alignment.
func bytesToF32(b []byte) []float32 {
	if len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}

// matRowsFloat runs a float-weight product: each weight row is converted once into a
// float32 row (by conv) and dotted with every token.
func matRowsFloat(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int, conv func(dst []float32, src []byte)) {
	cols := a.cols
	rowBytes := len(w) / max(rows, 1)
	tmp := make([]float32, cols)
	for r := 0; r < rows; r++ {
		conv(tmp, w[r*rowBytes:(r+1)*rowBytes])
		for t := 0; t < nt; t++ {
			x := a.f32[(t0+t)*cols : (t0+t+1)*cols]
			out[t*ldo+r] = dotGeneric(tmp, x)
		}
	}
}

func matF32Generic(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
	cols := a.cols
	wf := bytesToF32(w)
	for r := 0; r < rows; r++ {
		row := wf[r*cols : (r+1)*cols]
		for t := 0; t < nt; t++ {
			out[t*ldo+r] = dotGeneric(row, a.f32[(t0+t)*cols:(t0+t+1)*cols])
		}
	}
}

func matF16Generic(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
	tab := f16Table()
	matRowsFloat(w, rows, a, t0, nt, out, ldo, func(dst []float32, src []byte) {
		for i := range dst {
			dst[i] = tab[binary.LittleEndian.Uint16(src[2*i:])]
		}
	})
}

func matBF16Generic(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
	matRowsFloat(w, rows, a, t0, nt, out, ldo, func(dst []float32, src []byte) {
		for i := range dst {
			dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(src[2*i:])) << 16)
		}
	})
}

var (
	f16Once sync.Once
	f16Tab  *[1 << 16]float32
)

// f16Table returns the table of all 65536 half values, built on first use.
func f16Table() *[1 << 16]float32 {
	f16Once.Do(func() {
		f16Tab = new([1 << 16]float32)
		for i := range f16Tab {
			f16Tab[i] = quant.F16ToF32(uint16(i))
		}
	})
	return f16Tab
}

// halfAt reads a little-endian half at b[0:2] as float32.
func halfAt(b []byte) float32 { return f16Table()[binary.LittleEndian.Uint16(b)] }
