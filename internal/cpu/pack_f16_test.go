package cpu

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scopekv/scope/internal/ref"
	"github.com/scopekv/scope/model/quant"
)

func TestPackF16Layout(t *testing.T) {
	// Row r, column c holds the half r*1000+c; it lands at group r/16, column c, lane r%16,
	// from aligned and from misaligned bytes alike.
	const groups, cols = 3, 37
	rows := groups * packRows
	buf := make([]byte, rows*cols*2+1)
	for _, off := range []int{0, 1} {
		w := buf[off : off+rows*cols*2]
		for r := 0; r < rows; r++ {
			for c := 0; c < cols; c++ {
				binary.LittleEndian.PutUint16(w[(r*cols+c)*2:], uint16(r*1000+c))
			}
		}
		dst := make([]byte, len(w)+1)[off:]
		packF16(dst, w, groups, cols)
		for r := 0; r < rows; r++ {
			for c := 0; c < cols; c++ {
				at := ((r/packRows*cols)+c)*f16PackBlock + 2*(r%packRows)
				if got := binary.LittleEndian.Uint16(dst[at:]); got != uint16(r*1000+c) {
					t.Fatalf("offset %d: row %d col %d: %d", off, r, c, got)
				}
			}
		}
	}
}

// checkPackedFloat runs path k's packed kernel for typ (F16 or F32) over groups*16 rows
// and nt tokens against the reference product (ref.MatVec over the dequantised rows) and
// checks the guards and the gap after each token's rows. It does nothing when the path
// does not pack typ.
func checkPackedFloat(t *testing.T, k *kernelSet, typ quant.Type, w []byte, groups, cols, nt int, x []float32) {
	t.Helper()
	pk := k.packed[typ]
	if pk == nil {
		return
	}
	rows := groups * packRows
	name := fmt.Sprintf("%s %s groups=%d cols=%d nt=%d", k.name, typ, groups, cols, nt)
	pw := make([]byte, len(w))
	packRowsOf(typ, pw, w, groups, cols)
	wf := dequant(typ, w, rows*cols)
	a := &act{n: nt + 1, cols: cols, f32: x}
	ldo := rows + 3
	const pad = 16
	all, out := guarded(nt*ldo, pad)
	pk(pw, groups, a, 1, nt, out, ldo)
	checkGuards(t, all, pad, name)
	want := make([]float32, rows)
	for tok := 0; tok < nt; tok++ {
		xs := x[(tok+1)*cols : (tok+2)*cols]
		ref.MatVec(want, wf, xs, rows, cols)
		for row := 0; row < rows; row++ {
			var mag float64
			for i, v := range wf[row*cols : (row+1)*cols] {
				mag += math.Abs(float64(v) * float64(xs[i]))
			}
			// Both sum float32 products, in different orders: a few ulps of the magnitude.
			got := out[tok*ldo+row]
			if tol := 2e-6*mag + 1e-30; math.Abs(float64(got-want[row])) > tol || math.IsNaN(float64(got)) {
				t.Fatalf("%s: out[%d][%d] = %v, ref %v (tol %g)", name, tok, row, got, want[row], tol)
			}
		}
		for g := rows; g < ldo && tok*ldo+g < len(out); g++ {
			if out[tok*ldo+g] != guard {
				t.Fatalf("%s: wrote the gap after token %d's rows", name, tok)
			}
		}
	}
}

var packedFloatTypes = []quant.Type{quant.F16, quant.F32}

// TestPackedFloatTiles covers every token tile and its leftovers (1..40 tokens: 12, 8, 4
// and single tokens, 16 as two 8s), odd and even group counts and column tails.
func TestPackedFloatTiles(t *testing.T) {
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(31, 32))
		for _, typ := range packedFloatTypes {
			for _, cols := range []int{1, 2, 3, 5, 9, 64, 131} {
				for _, groups := range []int{1, 2, 3, 4, 5} {
					w := randWeight(r, typ, groups*packRows, cols)
					for nt := 1; nt <= 40; nt++ {
						checkPackedFloat(t, k, typ, w, groups, cols, nt, randFloats(r, (nt+1)*cols, 2))
					}
				}
			}
		}
	})
}

func TestPackF32Layout(t *testing.T) {
	// Row r, column c holds r*1000+c; it lands at group r/16, column c, lane r%16, from
	// aligned and from misaligned bytes alike.
	const groups, cols = 3, 37
	rows := groups * packRows
	buf := make([]byte, rows*cols*4+3)
	for _, off := range []int{0, 1, 2} {
		w := buf[off : off+rows*cols*4]
		for r := 0; r < rows; r++ {
			for c := 0; c < cols; c++ {
				binary.LittleEndian.PutUint32(w[(r*cols+c)*4:], uint32(r*1000+c))
			}
		}
		dst := make([]byte, len(w)+3)[off:]
		packF32(dst, w, groups, cols)
		for r := 0; r < rows; r++ {
			for c := 0; c < cols; c++ {
				at := ((r/packRows*cols)+c)*f32PackBlock + 4*(r%packRows)
				if got := binary.LittleEndian.Uint32(dst[at:]); got != uint32(r*1000+c) {
					t.Fatalf("offset %d: row %d col %d: %d", off, r, c, got)
				}
			}
		}
	}
}

// TestPackedF32Extremes feeds the F32 kernels large values, subnormals and signed zeros
// against large and tiny activations.
func TestPackedF32Extremes(t *testing.T) {
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(35, 36))
		const groups, cols, nt = 3, 45, 13
		for _, v := range []float32{1e30, -1e30, 1e-45, -1e-45, 1.1754942e-38, float32(math.Copysign(0, -1)), 0} {
			w := randWeight(r, quant.F32, groups*packRows, cols)
			for i := 0; i < len(w); i += 8 { // every other value extreme
				binary.LittleEndian.PutUint32(w[i:], math.Float32bits(v))
			}
			for _, scale := range []float32{1e-3, 1e3} {
				checkPackedFloat(t, k, quant.F32, w, groups, cols, nt, randFloats(r, (nt+1)*cols, scale))
			}
		}
	})
}

// TestPackedF16Extremes feeds the kernels the largest halves, subnormals and signed zeros
// against large and tiny activations.
func TestPackedF16Extremes(t *testing.T) {
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(33, 34))
		const groups, cols, nt = 3, 45, 13
		for _, h := range []uint16{0x7bff, 0xfbff, 0x0001, 0x8001, 0x03ff, 0x8000, 0x0400} {
			w := randWeight(r, quant.F16, groups*packRows, cols)
			for i := 0; i < len(w); i += 4 { // every other half extreme
				binary.LittleEndian.PutUint16(w[i:], h)
			}
			for _, scale := range []float32{1e-3, 1e3} {
				checkPackedFloat(t, k, quant.F16, w, groups, cols, nt, randFloats(r, (nt+1)*cols, scale))
			}
		}
	})
}

// FuzzPackedF16 checks the packed F16 and F32 kernels against the reference product: the
// fuzzer chooses the group count (1..5, so odd last groups), the columns (1..300), the
// tokens (1..40, every tile and leftover), the activation scale and the weight bits, read
// as halves and as floats (non-finite and huge values are made finite).
func FuzzPackedF16(f *testing.F) {
	f.Add(uint64(1), uint8(1), uint16(33), uint8(13), uint8(0), []byte{0x00, 0x3c, 0x01, 0x80})
	f.Add(uint64(2), uint8(2), uint16(1), uint8(40), uint8(3), []byte{0xff, 0x7b})
	f.Add(uint64(3), uint8(4), uint16(257), uint8(16), uint8(1), []byte("half floats"))
	f.Fuzz(func(t *testing.T, seed uint64, g uint8, c uint16, n, scale uint8, raw []byte) {
		if len(raw) == 0 {
			return
		}
		groups, cols, nt := int(g%5)+1, int(c%300)+1, int(n%40)+1
		x := randFloats(rand.New(rand.NewPCG(seed, 35)), (nt+1)*cols, float32(math.Pow(10, float64(scale%7)-3)))
		for _, typ := range packedFloatTypes {
			w := make([]byte, groups*packRows*cols*typ.BlockBytes())
			for i := range w {
				w[i] = raw[i%len(raw)]
			}
			sanitize(typ, w)
			for _, k := range paths() {
				checkPackedFloat(t, k, typ, w, groups, cols, nt, x)
			}
		}
	})
}
