package quant

import (
	"bytes"
	"errors"
	"math"
	"math/rand"
	"strings"
	"testing"
)

var quantTypes = []Type{F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K}

func TestCan(t *testing.T) {
	for _, typ := range quantTypes {
		if !CanDequantize(typ) || !CanQuantize(typ) {
			t.Errorf("%s: CanDequantize %v CanQuantize %v, want both", typ, CanDequantize(typ), CanQuantize(typ))
		}
	}
	for _, typ := range []Type{Q8_1, I8, I16, I32, I64, F64, Type(99)} {
		if CanDequantize(typ) || CanQuantize(typ) {
			t.Errorf("%s: reported as convertible", typ)
		}
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want error
		text string
	}{
		{"unknown", Dequantize(Type(99), nil, nil), ErrUnknownType, "type(99)"},
		{"unknown quant", Quantize(Type(99), nil, nil), ErrUnknownType, "type(99)"},
		{"unsupported", Dequantize(I32, make([]byte, 4), make([]float32, 1)), ErrUnsupported, "I32"},
		{"unsupported quant", Quantize(Q8_1, make([]float32, 32), make([]byte, 36)), ErrUnsupported, "Q8_1"},
		{"partial block", Dequantize(Q4_0, make([]byte, 18), make([]float32, 31)), ErrLength, "Q4_0"},
		{"short src", Dequantize(Q4_K, make([]byte, 143), make([]float32, 256)), ErrLength, "Q4_K"},
		{"short src f16", Dequantize(F16, make([]byte, 5), make([]float32, 3)), ErrLength, "F16"},
		{"partial block quant", Quantize(Q6_K, make([]float32, 255), make([]byte, 210)), ErrLength, "Q6_K"},
		{"short dst", Quantize(Q8_0, make([]float32, 64), make([]byte, 67)), ErrLength, "Q8_0"},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: err %v, want %v", c.name, c.err, c.want)
			continue
		}
		if !strings.Contains(c.err.Error(), c.text) {
			t.Errorf("%s: %q does not name %s", c.name, c.err, c.text)
		}
	}
	if _, err := Type(99).RowBytes(32); !errors.Is(err, ErrUnknownType) {
		t.Errorf("RowBytes of an unknown type: %v", err)
	}
	if _, err := Q4_0.RowBytes(31); !errors.Is(err, ErrLength) {
		t.Errorf("RowBytes of a partial block: %v", err)
	}
	// Exact and longer buffers are fine; zero elements are fine.
	if err := Dequantize(Q8_0, make([]byte, 40), make([]float32, 32)); err != nil {
		t.Error(err)
	}
	if err := Quantize(Q4_K, nil, nil); err != nil {
		t.Error(err)
	}
}

func TestDequantizeRowUnsupportedLeavesDst(t *testing.T) {
	dst := []float32{1, 2}
	DequantizeRow(I8, []byte{5, 6}, dst)
	if dst[0] != 1 || dst[1] != 2 {
		t.Errorf("dst changed: %v", dst)
	}
}

func randNormal(r *rand.Rand, n int, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	return x
}

// rmseBound is the largest relative RMSE, sqrt(Σ(x-y)²/Σx²), accepted for Gaussian input
// after Quantize then Dequantize. Measured values are about 60-75% of these.
var rmseBound = map[Type]float64{
	F32: 0, F16: 0.0003, BF16: 0.0025,
	Q8_0: 0.008, Q8_K: 0.01, Q6_K: 0.025,
	Q5_0: 0.06, Q5_1: 0.05, Q5_K: 0.05,
	Q4_0: 0.11, Q4_1: 0.10, Q4_K: 0.09,
	Q3_K: 0.19, Q2_K: 0.36,
}

func roundTrip(t *testing.T, typ Type, x []float32) []float32 {
	t.Helper()
	n, err := typ.RowBytes(len(x))
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, n)
	if err := Quantize(typ, x, b); err != nil {
		t.Fatal(err)
	}
	y := make([]float32, len(x))
	if err := Dequantize(typ, b, y); err != nil {
		t.Fatal(err)
	}
	return y
}

func relRMSE(x, y []float32) float64 {
	var e, s float64
	for i := range x {
		d := float64(x[i]) - float64(y[i])
		e += d * d
		s += float64(x[i]) * float64(x[i])
	}
	return math.Sqrt(e / s)
}

func TestRoundTripError(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	x := randNormal(r, 64*QK_K, 0.02) // weight-like magnitudes
	for _, typ := range quantTypes {
		got := relRMSE(x, roundTrip(t, typ, x))
		if got > rmseBound[typ] {
			t.Errorf("%s: relative RMSE %.5f > %.5f", typ, got, rmseBound[typ])
		}
		if typ != F32 && got == 0 {
			t.Errorf("%s: no error at all: the round trip did not quantise", typ)
		}
	}
}

// TestBlockErrorLegacy bounds the worst element of each 32-block by the format's step:
// a half step from rounding, a whole step where ggml clamps the top level, plus the f16
// rounding of d and m.
func TestBlockErrorLegacy(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	x := randNormal(r, 200*qk, 1)
	for b := 0; b < len(x)/qk; b += 7 {
		for k := range x[b*qk : b*qk+qk] {
			x[b*qk+k] += 3 // some all-positive blocks
		}
	}
	for _, typ := range []Type{Q8_0, Q4_0, Q5_0, Q4_1, Q5_1} {
		y := roundTrip(t, typ, x)
		for b := 0; b < len(x)/qk; b++ {
			xs, ys := x[b*qk:b*qk+qk], y[b*qk:b*qk+qk]
			lo, hi := minMax(xs)
			amax, _ := absMax(xs)
			var bound float64
			switch typ {
			case Q8_0:
				bound = float64(amax)/127*0.5 + float64(amax)*0x1p-10
			case Q4_0:
				bound = float64(amax)/8 + float64(amax)*0x1p-9
			case Q5_0:
				bound = float64(amax)/16 + float64(amax)*0x1p-9
			case Q4_1:
				bound = float64(hi-lo)/15*0.5 + float64(amax)*0x1p-9
			case Q5_1:
				bound = float64(hi-lo)/31*0.5 + float64(amax)*0x1p-9
			}
			for k := range xs {
				if e := math.Abs(float64(xs[k] - ys[k])); e > bound {
					t.Fatalf("%s block %d element %d: |%v - %v| = %g > %g", typ, b, k, xs[k], ys[k], e, bound)
				}
			}
		}
	}
}

// TestOddSizes quantises 1, 7 and 33 blocks at once and checks that the result equals
// quantising block by block, and that nothing past RowBytes is written.
func TestOddSizes(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for _, typ := range quantTypes {
		bs, bb := typ.BlockSize(), typ.BlockBytes()
		for _, nb := range []int{1, 7, 33} {
			n := nb * bs
			if bs == 1 {
				n = nb * 3 // odd element counts for the plain types
			}
			x := randNormal(r, n, 1)
			need, _ := typ.RowBytes(n)
			whole := bytes.Repeat([]byte{0xee}, need+5)
			if err := Quantize(typ, x, whole); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(whole[need:], bytes.Repeat([]byte{0xee}, 5)) {
				t.Errorf("%s x%d: bytes past RowBytes written", typ, nb)
			}
			one := make([]byte, bb)
			for i := 0; i < n/bs; i++ {
				if err := Quantize(typ, x[i*bs:(i+1)*bs], one); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(one, whole[i*bb:(i+1)*bb]) {
					t.Fatalf("%s x%d: block %d differs when quantised alone", typ, nb, i)
				}
			}
			y := make([]float32, n)
			if err := Dequantize(typ, whole, y); err != nil {
				t.Fatal(err)
			}
			if e := relRMSE(x, y); e > rmseBound[typ] && nb > 1 {
				t.Errorf("%s x%d: relative RMSE %.4f", typ, nb, e)
			}
		}
	}
}

// TestDegenerateBlocks: all-zero and constant blocks, where ggml takes its special paths.
func TestDegenerateBlocks(t *testing.T) {
	for _, typ := range quantTypes {
		bs := max(typ.BlockSize(), 32)
		zero := make([]float32, bs)
		n, _ := typ.RowBytes(bs)
		b := bytes.Repeat([]byte{0xaa}, n)
		if err := Quantize(typ, zero, b); err != nil {
			t.Fatal(err)
		}
		if typ != Q4_0 && typ != Q5_0 && !bytes.Equal(b, make([]byte, n)) {
			// Q4_0/Q5_0 store the zero level as 8/16; everything else is all zero bytes.
			t.Errorf("%s: zero block quantises to % x", typ, b[:min(n, 16)])
		}
		y := make([]float32, bs)
		if err := Dequantize(typ, b, y); err != nil {
			t.Fatal(err)
		}
		for i, v := range y {
			if v != 0 {
				t.Fatalf("%s: zero block element %d = %v", typ, i, v)
			}
		}
		c := make([]float32, bs)
		for i := range c {
			c[i] = 0.75
		}
		if e := relRMSE(c, roundTrip(t, typ, c)); e > 0.02 {
			t.Errorf("%s: constant block relative error %.4f", typ, e)
		}
	}
}

// TestNonFinite: NaN and infinite inputs must not panic (the output is unspecified, as
// in ggml).
func TestNonFinite(t *testing.T) {
	x := make([]float32, QK_K)
	for i := range x {
		switch i % 3 {
		case 0:
			x[i] = float32(math.NaN())
		case 1:
			x[i] = float32(math.Inf(1 - 2*(i%2)))
		}
	}
	for _, typ := range quantTypes {
		roundTrip(t, typ, x)
	}
}

// TestQ8Activations checks the dot-kernel helpers agree with Quantize and that Q8_K's
// bsums are the sums of its quants.
func TestQ8Activations(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	x := randNormal(r, 3*QK_K, 1)
	a := make([]byte, 3*292)
	b := make([]byte, 3*292)
	QuantizeQ8K(x, a)
	if err := Quantize(Q8_K, x, b); err != nil || !bytes.Equal(a, b) {
		t.Fatalf("QuantizeQ8K differs from Quantize(Q8_K) (err %v)", err)
	}
	for blk := 0; blk < 3; blk++ {
		q := a[blk*292:]
		for g := 0; g < 16; g++ {
			var s int
			for _, v := range q[4+16*g : 4+16*g+16] {
				s += int(int8(v))
			}
			if got := int(int16(uint16(q[260+2*g]) | uint16(q[261+2*g])<<8)); got != s {
				t.Fatalf("block %d bsum %d = %d, want %d", blk, g, got, s)
			}
		}
	}
	c := make([]byte, 24*34)
	d := make([]byte, 24*34)
	QuantizeQ8_0(x, c)
	if err := Quantize(Q8_0, x, d); err != nil || !bytes.Equal(c, d) {
		t.Fatalf("QuantizeQ8_0 differs from Quantize(Q8_0) (err %v)", err)
	}
}
