package cpu

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scopekv/scope/model/quant"
)

// Differential fuzz targets: every SIMD path against the generic kernels on the same
// inputs, with weights made of fuzzer bytes (scales and float elements made finite).

func FuzzDotF32(f *testing.F) {
	f.Add(uint64(1), uint16(33))
	f.Add(uint64(2), uint16(1))
	f.Add(uint64(3), uint16(1000))
	f.Fuzz(func(t *testing.T, seed uint64, n uint16) {
		r := rand.New(rand.NewPCG(seed, 7))
		a, b := randFloats(r, int(n%4100), 10), randFloats(r, int(n%4100), 10)
		var mag float64
		for i := range a {
			mag += math.Abs(float64(a[i]) * float64(b[i]))
		}
		want := dotGeneric(a, b)
		for _, k := range paths()[1:] {
			if got := k.dot(a, b); math.Abs(float64(got-want)) > 1e-5*mag+1e-6 {
				t.Fatalf("%s: n=%d: dot %v, generic %v", k.name, len(a), got, want)
			}
			y, y0 := append([]float32(nil), b...), append([]float32(nil), b...)
			k.axpy(y, 0.5, a)
			axpyGeneric(y0, 0.5, a)
			for i := range y {
				if math.Abs(float64(y[i]-y0[i])) > 1e-5 {
					t.Fatalf("%s: axpy[%d] %v, generic %v", k.name, i, y[i], y0[i])
				}
			}
		}
	})
}

func FuzzMatF32(f *testing.F)  { fuzzMat(f, quant.F32) }
func FuzzMatF16(f *testing.F)  { fuzzMat(f, quant.F16) }
func FuzzMatBF16(f *testing.F) { fuzzMat(f, quant.BF16) }
func FuzzDotQ8_0(f *testing.F) { fuzzMat(f, quant.Q8_0) }
func FuzzDotQ4_0(f *testing.F) { fuzzMat(f, quant.Q4_0) }
func FuzzDotQ4_K(f *testing.F) { fuzzMat(f, quant.Q4_K) }
func FuzzDotQ6_K(f *testing.F) { fuzzMat(f, quant.Q6_K) }

// fuzzMat checks the matrix kernels of typ: the fuzzer chooses the shape, the weight bytes
// (cycled to the needed length) and the activation seed.
func fuzzMat(f *testing.F, typ quant.Type) {
	f.Add(uint64(1), uint8(3), uint8(5), uint8(1), []byte{0x81, 0x7f, 0x00, 0xff, 0x10})
	f.Add(uint64(2), uint8(1), uint8(1), uint8(2), []byte{0x00})
	f.Add(uint64(3), uint8(4), uint8(9), uint8(3), []byte("quantised weights of any bytes"))
	f.Fuzz(func(t *testing.T, seed uint64, rows, nt, blocks uint8, raw []byte) {
		if len(raw) == 0 {
			return
		}
		r := rand.New(rand.NewPCG(seed, 11))
		nRows, nTok := int(rows%6)+1, int(nt%9)+1
		cols := colsFor(typ)[int(blocks)%len(colsFor(typ))]
		rowBytes, _ := typ.RowBytes(cols)
		w := make([]byte, nRows*rowBytes)
		for i := range w {
			w[i] = raw[i%len(raw)]
		}
		sanitize(typ, w)
		x := randFloats(r, nTok*cols, 4)
		a, seen := quantAct(typ, x, nTok, cols)
		wf := dequant(typ, w, nRows*cols)
		want := make([]float32, nTok*nRows)
		genericKernels().mat[typ](w, nRows, a, 0, nTok, want, nRows)
		for _, k := range paths()[1:] {
			got := make([]float32, nTok*nRows)
			k.mat[typ](w, nRows, a, 0, nTok, got, nRows)
			for tok := 0; tok < nTok; tok++ {
				for row := 0; row < nRows; row++ {
					var mag float64
					for i, v := range wf[row*cols : (row+1)*cols] {
						mag += math.Abs(float64(v) * float64(seen[tok*cols+i]))
					}
					g, e := got[tok*nRows+row], want[tok*nRows+row]
					if math.Abs(float64(g-e)) > 1e-5*mag+1e-6 {
						t.Fatalf("%s %s rows=%d cols=%d nt=%d: out[%d][%d] = %v, generic %v", k.name, typ, nRows, cols, nTok, tok, row, g, e)
					}
				}
			}
		}
	})
}

// sanitize makes every f16 scale (and every float element of float types) finite.
func sanitize(typ quant.Type, w []byte) {
	fixHalf := func(off int) {
		if h := binary.LittleEndian.Uint16(w[off:]); h&0x7c00 == 0x7c00 {
			binary.LittleEndian.PutUint16(w[off:], h&^0x4000)
		}
	}
	switch typ {
	case quant.F32:
		for i := 0; i+4 <= len(w); i += 4 {
			// Non-finite and huge values go: near the float32 limit a sum can overflow in
			// one order of addition and not in another, which is no kernel error.
			if v := math.Float32frombits(binary.LittleEndian.Uint32(w[i:])); !(math.Abs(float64(v)) <= 1e30) {
				binary.LittleEndian.PutUint32(w[i:], 0)
			}
		}
	case quant.F16:
		for i := 0; i+2 <= len(w); i += 2 {
			fixHalf(i)
		}
	case quant.BF16:
		for i := 0; i+2 <= len(w); i += 2 {
			if h := binary.LittleEndian.Uint16(w[i:]); h&0x7f80 >= 0x7000 { // |v| >= 2^97, Inf, NaN
				binary.LittleEndian.PutUint16(w[i:], h&^0x4000)
			}
		}
	default:
		bs := typ.BlockBytes()
		for off := 0; off < len(w); off += bs {
			switch typ {
			case quant.Q4_K:
				fixHalf(off)
				fixHalf(off + 2)
			case quant.Q6_K:
				fixHalf(off + 208)
			default:
				fixHalf(off)
			}
		}
	}
}

// FuzzQuantQ8 checks the SIMD activation quantisers: every value decodes to within half a
// step of its input, and Q8_K block sums match the values.
func FuzzQuantQ8(f *testing.F) {
	f.Add(uint64(1), int8(0), uint8(1))
	f.Add(uint64(2), int8(-30), uint8(3))
	f.Add(uint64(3), int8(40), uint8(2))
	f.Fuzz(func(t *testing.T, seed uint64, exp int8, blocks uint8) {
		r := rand.New(rand.NewPCG(seed, 13))
		n := (int(blocks)%4 + 1) * qkK
		x := randFloats(r, n, float32(math.Ldexp(1, int(exp%60))))
		for i := range x {
			if r.IntN(7) == 0 {
				x[i] = 0
			}
		}
		for _, k := range paths()[1:] {
			qs, d, bs := make([]int8, n), make([]float32, n/qk8), make([]int16, n/16)
			k.quantQ8_0(x, qs, d)
			checkDecode(t, k.name+" Q8_0", x, qs, d, qk8)
			k.quantQ8K(x, qs, d[:n/qkK], bs)
			checkDecode(t, k.name+" Q8_K", x, qs, d[:n/qkK], qkK)
			for g := range bs {
				var s int
				for _, v := range qs[g*16 : (g+1)*16] {
					s += int(v)
				}
				if int(bs[g]) != s {
					t.Fatalf("%s: bsums[%d] = %d, want %d", k.name, g, bs[g], s)
				}
			}
		}
	})
}

func checkDecode(t *testing.T, what string, x []float32, qs []int8, d []float32, blk int) {
	t.Helper()
	for i, v := range x {
		step := math.Abs(float64(d[i/blk]))
		if diff := math.Abs(float64(v) - float64(d[i/blk])*float64(qs[i])); diff > step*0.5001+1e-30 {
			t.Fatalf("%s: x[%d] = %v decodes to %v (step %v)", what, i, v, d[i/blk]*float32(qs[i]), step)
		}
	}
}
