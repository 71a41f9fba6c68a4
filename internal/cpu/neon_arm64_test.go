//go:build arm64 && !purego

package cpu

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/scopekv/scope/model/quant"
)

// neonVariants returns the NEON kernel sets this CPU can run: without SDOT always, and
// with it where the dot-product extension is present, so both are tested on such CPUs.
func neonVariants(t testing.TB) []*kernelSet {
	if !hasNEON() {
		t.Skip("CPU without AdvSIMD")
	}
	out := []*kernelSet{neonKernels(false)}
	if hasDotProd() {
		out = append(out, neonKernels(true))
	}
	return out
}

func TestNEONSelected(t *testing.T) {
	if !hasNEON() {
		t.Skip("CPU without AdvSIMD")
	}
	k, err := selectKernels("")
	if err != nil {
		t.Fatal(err)
	}
	if k.name != "neon" {
		t.Fatalf("best path %q, want neon", k.name)
	}
	if got := strings.Contains(k.features, "dotprod"); got != hasDotProd() {
		t.Fatalf("features %q, dot-product extension present: %v", k.features, hasDotProd())
	}
}

// neonQuantTypes are the quantised weight types with NEON kernels in both variants.
var neonQuantTypes = []quant.Type{quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K}

// TestNEONQuantVariants checks the quantised kernels of both NEON variants (SDOT where
// present, widening multiplies always) against the float64 product, also with weights at
// the extremes of the integer range.
func TestNEONQuantVariants(t *testing.T) {
	vs := neonVariants(t)
	r := rand.New(rand.NewPCG(21, 22))
	for _, k := range vs {
		for _, typ := range neonQuantTypes {
			blk := qk8
			if actKindOf(typ) == actQ8K {
				blk = qkK
			}
			for _, nb := range []int{1, 2, 3, 33} {
				for _, rows := range []int{1, 2, 7} {
					checkMat(t, k, typ, rows, nb*blk, 3, r)
				}
			}
			for _, nb := range []int{1, 3, 41} {
				checkExtreme(t, k, typ, 9, nb*blk, r)
			}
		}
	}
	if len(vs) < 2 {
		t.Log("no dot-product extension: SDOT kernels not run")
	}
}

// checkExtreme runs one token against weights with extreme blocks and compares with the
// float64 product of the values the kernel sees.
func checkExtreme(t *testing.T, k *kernelSet, typ quant.Type, rows, cols int, r *rand.Rand) {
	t.Helper()
	w := extremeWeights(randWeight(r, typ, rows, cols), typ)
	wf := dequant(typ, w, rows*cols)
	x := randFloats(r, cols, 3)
	x[0] = -3 // the largest magnitude: quantises to -127
	if actKindOf(typ) == actQ8K {
		for i := 0; i < qkK; i += 2 { // a super-block of -127 and 127: extreme 16-value sums
			x[i] = -3
		}
	}
	a, seen := quantAct(typ, x, 1, cols)
	out := make([]float32, rows)
	k.mat[typ](w, rows, a, 0, 1, out, rows)
	for row := range out {
		var want, mag float64
		for i, v := range wf[row*cols : (row+1)*cols] {
			want += float64(v) * float64(seen[i])
			mag += math.Abs(float64(v) * float64(seen[i]))
		}
		if math.Abs(float64(out[row])-want) > 3e-6*mag+1e-6 {
			t.Fatalf("%s %s cols=%d: out[%d] = %v, want %v", k.features, typ, cols, row, out[row], want)
		}
	}
}

// extremeWeights sets every seventh block to the extremes of the integer range: Q8_0
// values -128, Q4_0 nibble 0 (-8), Q4_K nibbles 15 with scales and mins 63, Q6_K values
// -32 with scales -128.
func extremeWeights(w []byte, typ quant.Type) []byte {
	bs := typ.BlockBytes()
	for off := 0; off < len(w); off += 7 * bs {
		blk := w[off : off+bs]
		switch typ {
		case quant.Q8_0:
			fill(blk[2:], 0x80)
		case quant.Q4_0:
			fill(blk[2:], 0)
		case quant.Q4_K:
			fill(blk[4:], 0xff)
		case quant.Q6_K:
			fill(blk[:192], 0)
			fill(blk[192:208], 0x80)
		}
	}
	return w
}

func fill(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}

// TestNEONQuantQ8_0Exact checks that the NEON activation quantiser gives exactly the
// generic values: ties round away from zero, zero blocks, huge and tiny magnitudes.
func TestNEONQuantQ8_0Exact(t *testing.T) {
	vs := neonVariants(t)
	r := rand.New(rand.NewPCG(23, 24))
	const nb = 9
	x := randFloats(r, nb*qk8, 1)
	for i := 0; i < qk8; i++ { // amax 127: scale 1, so halves are exact ties
		x[i] = float32(i-16) + 0.5
	}
	x[0] = 127
	clear(x[qk8 : 2*qk8])
	for i := 2 * qk8; i < 3*qk8; i++ {
		x[i] *= 1e30
	}
	for i := 3 * qk8; i < 4*qk8; i++ {
		x[i] *= 1e-30
	}
	x[4*qk8+5] = -2 // a block whose largest magnitude is negative
	wq, wd := make([]int8, len(x)), make([]float32, nb)
	quantQ8_0Generic(x, wq, wd)
	for _, k := range vs {
		qs, d := make([]int8, len(x)), make([]float32, nb)
		k.quantQ8_0(x, qs, d)
		for b := range d {
			if math.Float32bits(d[b]) != math.Float32bits(wd[b]) {
				t.Fatalf("block %d: d = %v, generic %v", b, d[b], wd[b])
			}
		}
		for i := range qs {
			if qs[i] != wq[i] {
				t.Fatalf("x[%d] = %v: q = %d, generic %d", i, x[i], qs[i], wq[i])
			}
		}
	}
}

// TestNEONQuantQ8KExact checks that the NEON Q8_K quantiser gives exactly the generic
// values and sums: ties to even, zero blocks, both signs at the largest magnitude (the
// first decides), a lone largest negative or positive value, huge and tiny magnitudes.
func TestNEONQuantQ8KExact(t *testing.T) {
	vs := neonVariants(t)
	r := rand.New(rand.NewPCG(25, 26))
	const nb = 9
	x := randFloats(r, nb*qkK, 1)
	for i := 0; i < qkK; i++ { // vmax -127: iscale 1, so halves are exact ties
		x[i] = float32(i%200-100) + 0.5
	}
	x[7] = -127
	clear(x[qkK : 2*qkK])
	x[2*qkK+9], x[2*qkK+30] = 2, -2 // both signs: the first (positive) decides
	x[3*qkK+4], x[3*qkK+200] = -2, 2
	x[4*qkK+100] = -3
	x[5*qkK+255] = 3
	for i := 6 * qkK; i < 7*qkK; i++ {
		x[i] *= 1e30
	}
	for i := 7 * qkK; i < 8*qkK; i++ {
		x[i] *= 1e-30
	}
	wq, wd, wb := make([]int8, len(x)), make([]float32, nb), make([]int16, nb*16)
	quantQ8KGeneric(x, wq, wd, wb)
	for _, k := range vs {
		qs, d, bs := make([]int8, len(x)), make([]float32, nb), make([]int16, nb*16)
		k.quantQ8K(x, qs, d, bs)
		for b := range d {
			if math.Float32bits(d[b]) != math.Float32bits(wd[b]) {
				t.Fatalf("block %d: d = %v, generic %v", b, d[b], wd[b])
			}
		}
		for i := range qs {
			if qs[i] != wq[i] {
				t.Fatalf("x[%d] = %v: q = %d, generic %d", i, x[i], qs[i], wq[i])
			}
		}
		for g := range bs {
			if bs[g] != wb[g] {
				t.Fatalf("bsums[%d] = %d, generic %d", g, bs[g], wb[g])
			}
		}
	}
}

// FuzzNEONQuant compares both NEON variants of the quantised kernels with the generic
// ones and checks the Q8_0 and Q8_K quantisers' values on fuzzer-made weights (the shared fuzz targets reach
// only the variant this CPU selects).
func FuzzNEONQuant(f *testing.F) {
	f.Add(uint64(1), uint8(3), uint8(1), []byte{0x80, 0x7f, 0x00, 0xff, 0x11})
	f.Add(uint64(2), uint8(0), uint8(40), []byte{0x88})
	f.Fuzz(func(t *testing.T, seed uint64, rows, blocks uint8, raw []byte) {
		if len(raw) == 0 {
			return
		}
		r := rand.New(rand.NewPCG(seed, 17))
		nRows := int(rows%6) + 1
		for _, typ := range neonQuantTypes {
			cols := (int(blocks)%48 + 1) * qk8
			if actKindOf(typ) == actQ8K {
				cols = (int(blocks)%6 + 1) * qkK
			}
			compareNEONGeneric(t, typ, nRows, cols, raw, randFloats(r, 2*cols, 4))
		}
		x := randFloats(r, (int(blocks)%48+1)*qk8, 4)
		qs, d := make([]int8, len(x)), make([]float32, len(x)/qk8)
		quantQ8_0Vec(x, qs, d)
		checkDecode(t, "neon Q8_0", x, qs, d, qk8)
		x = x[:len(x)/qkK*qkK]
		qs, d, bs := qs[:len(x)], d[:len(x)/qkK], make([]int16, len(x)/16)
		quantQ8KVec(x, qs, d, bs)
		checkDecode(t, "neon Q8_K", x, qs, d, qkK)
	})
}

// compareNEONGeneric runs two tokens x through both NEON variants and the generic kernel
// on weights repeating raw, with a tolerance relative to the sum of product magnitudes.
func compareNEONGeneric(t *testing.T, typ quant.Type, nRows, cols int, raw []byte, x []float32) {
	t.Helper()
	rowBytes, _ := typ.RowBytes(cols)
	w := make([]byte, nRows*rowBytes)
	for i := range w {
		w[i] = raw[i%len(raw)]
	}
	sanitize(typ, w)
	a, seen := quantAct(typ, x, 2, cols)
	wf := dequant(typ, w, nRows*cols)
	want := make([]float32, 2*nRows)
	genericKernels().mat[typ](w, nRows, a, 0, 2, want, nRows)
	for _, k := range neonVariants(t) {
		got := make([]float32, 2*nRows)
		k.mat[typ](w, nRows, a, 0, 2, got, nRows)
		for i := range got {
			tok, row := i/nRows, i%nRows
			var mag float64
			for j, v := range wf[row*cols : (row+1)*cols] {
				mag += math.Abs(float64(v) * float64(seen[tok*cols+j]))
			}
			if math.Abs(float64(got[i]-want[i])) > 1e-5*mag+1e-6 {
				t.Fatalf("%s %s rows=%d cols=%d: out[%d] = %v, generic %v", k.features, typ, nRows, cols, i, got[i], want[i])
			}
		}
	}
}
