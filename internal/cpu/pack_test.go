package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	goruntime "runtime"
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// packedTypes lists the types path k repacks.
func packedTypes(k *kernelSet) []quant.Type {
	var out []quant.Type
	for _, t := range kernelTypes {
		if k.packed[t] != nil {
			out = append(out, t)
		}
	}
	return out
}

// checkPacked runs path k's interleaved kernel on groups*16 rows for nt tokens starting at
// token 1 and compares with a float64 product over the values the kernel sees.
func checkPacked(t *testing.T, k *kernelSet, typ quant.Type, groups, cols, nt int, w []byte, r *rand.Rand) {
	t.Helper()
	rows := groups * packRows
	name := fmt.Sprintf("%s %s groups=%d cols=%d nt=%d", k.name, typ, groups, cols, nt)
	nb := cols / typ.BlockSize()
	pw := make([]byte, groups*nb*packedBlockBytes(typ))
	packRowsOf(typ, pw, w, groups, nb)
	wf := dequant(typ, w, rows*cols)
	x := randFloats(r, (nt+1)*cols, 3)
	a, seen := quantAct(typ, x, nt+1, cols)
	ldo := rows + 5
	const pad = 16
	all, out := guarded(nt*ldo, pad)
	k.packed[typ](pw, groups, a, 1, nt, out, ldo)
	checkGuards(t, all, pad, name)
	for tok := 0; tok < nt; tok++ {
		xs := seen[(tok+1)*cols : (tok+2)*cols]
		for row := 0; row < rows; row++ {
			var want, mag float64
			for i, v := range wf[row*cols : (row+1)*cols] {
				want += float64(v) * float64(xs[i])
				mag += math.Abs(float64(v) * float64(xs[i]))
			}
			got := float64(out[tok*ldo+row])
			if tol := 3e-6*mag + 1e-6; math.Abs(got-want) > tol {
				t.Fatalf("%s: out[%d][%d] = %v, want %v (tol %g)", name, tok, row, got, want, tol)
			}
		}
		for g := rows; g < ldo && tok*ldo+g < len(out); g++ {
			if out[tok*ldo+g] != guard {
				t.Fatalf("%s: wrote the gap after token %d's rows", name, tok)
			}
		}
	}
}

// packCols lists input widths for the packed kernels of t.
func packCols(t quant.Type) []int {
	switch t.BlockSize() {
	case qkK:
		return []int{256, 512, 256 * 3}
	case 1:
		return []int{1, 3, 4, 7, 33, 257}
	}
	return []int{32, 64, 96, 288, 32 * 35}
}

func TestPackedMat(t *testing.T) {
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(21, 22))
		for _, typ := range packedTypes(k) {
			for _, cols := range packCols(typ) {
				for _, groups := range []int{1, 2, 3} {
					w := randWeight(r, typ, groups*packRows, cols)
					for _, nt := range []int{1, 2, 7, 8, 9, 16, 17, 23} {
						checkPacked(t, k, typ, groups, cols, nt, w, r)
					}
				}
			}
		}
	})
}

// TestPackedExtremes feeds the kernels the extreme weight and activation bytes: every
// Q8_0 value -128 or 127 and every Q4_0 nibble 0 or 15, against activations of +-127.
func TestPackedExtremes(t *testing.T) {
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(23, 24))
		for _, typ := range packedTypes(k) {
			if typ.BlockSize() == 1 {
				continue // float weights: TestPackedF16Extremes, TestPackedF32Extremes
			}
			for _, fill := range []byte{0x80, 0x7f, 0x00, 0xff} {
				const groups = 2
				cols := packCols(typ)[1]
				w := randWeight(r, typ, groups*packRows, cols)
				bb, first := typ.BlockBytes(), 2
				last := bb
				switch typ {
				case quant.Q4_K:
					first = 16 // the nibbles; the scale bytes stay random
				case quant.Q6_K:
					first, last = 0, 192 // the values; scales and d stay random
				}
				for off := 0; off < len(w); off += bb {
					for i := off + first; i < off+last; i++ {
						w[i] = fill
					}
				}
				checkPacked(t, k, typ, groups, cols, 9, w, r)
			}
		}
	})
}

func TestPackRowsLayout(t *testing.T) {
	// Row r, column c of a Q8_0 weight whose value byte encodes (r, c) lands at the
	// documented place with its offset of 128.
	const groups, nb = 2, 3
	cols, rows := nb*qk8, groups*packRows
	rowBytes := mustRowBytes(t, quant.Q8_0, cols)
	w := make([]byte, rows*rowBytes)
	for r := 0; r < rows; r++ {
		for b := 0; b < nb; b++ {
			blk := w[r*rowBytes+b*34:]
			blk[0], blk[1] = byte(r), byte(b)
			for i := 0; i < 32; i++ {
				blk[2+i] = byte(r*7 + b*32 + i)
			}
		}
	}
	pw := make([]byte, groups*nb*q8PackBlock)
	packRowsOf(quant.Q8_0, pw, w, groups, nb)
	for r := 0; r < rows; r++ {
		g, rr := r/packRows, r%packRows
		for b := 0; b < nb; b++ {
			blk := pw[(g*nb+b)*q8PackBlock:]
			if blk[2*rr] != byte(r) || blk[2*rr+1] != byte(b) {
				t.Fatalf("row %d block %d: scale bytes %v", r, b, blk[2*rr:2*rr+2])
			}
			for i := 0; i < 32; i++ {
				got := blk[32+64*(i/4)+4*rr+i%4]
				if want := byte(r*7+b*32+i) ^ 0x80; got != want {
					t.Fatalf("row %d block %d col %d: %#x, want %#x", r, b, i, got, want)
				}
			}
		}
	}
}

// TestPackedDevice runs weights whose rows are not a multiple of sixteen through the
// device (packed groups plus GGUF-layout rows, split across threads, with a bias) against
// the reference device, and checks the pack statistics.
func TestPackedDevice(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	for _, path := range Paths() {
		for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K, quant.F16, quant.F32} {
			for _, shape := range [][3]int{{16, 64, 1}, {37, 96, 9}, {100, 320, 20}, {261, 64, 3}, {80, 33, 27}} {
				rows, cols, n := shape[0], shape[1], shape[2]
				if typ.BlockSize() == qkK {
					cols *= 8
				}
				if cols%typ.BlockSize() != 0 {
					continue
				}
				d := openTest(t, Options{Threads: 2, Path: path})
				tw := newTwin(t, d)
				tw.weight("w", typ, rows, cols, randWeight(r, typ, rows, cols))
				bias := randFloats(r, rows, 1)
				tw.weight("b", quant.F32, 1, rows, f32Bytes(bias))
				tw.buf("x", randFloats(r, n*cols, 1))
				tw.buf("y", make([]float32, n*rows))
				tw.run([]step{{
					name: fmt.Sprintf("%s %s %v", path, typ, shape),
					op: func(s int) backend.Op {
						return backend.MatMul{W: tw.ws["w"][s], Bias: tw.ws["b"][s], X: tw.bufs["x"][s], Out: tw.bufs["y"][s], N: n}
					},
					outs: []string{"y"},
					tol:  1e-2, // activations quantised to 8 bits
				}})
				st := d.PackStats()
				if want := d.k.packed[typ] != nil; (st.Tensors == 1) != want {
					t.Errorf("%s %s: pack stats %+v, packing expected %v", path, typ, st, want)
				}
			}
		}
	}
}

// BenchmarkPacked compares, per path that repacks, the GGUF-layout kernel with the
// interleaved one on cache-resident 128x4096 weights for 1, 16 and 64 tokens.
func BenchmarkPacked(b *testing.B) {
	const rows, cols = 128, 4096
	for _, k := range paths() {
		for _, typ := range packedTypes(k) {
			r := rand.New(rand.NewPCG(1, 1))
			w := randWeight(r, typ, rows, cols)
			nb := cols / typ.BlockSize()
			pw := make([]byte, rows/packRows*nb*packedBlockBytes(typ))
			packRowsOf(typ, pw, w, rows/packRows, nb)
			for _, nt := range []int{1, 16, 64} {
				x := randFloats(r, nt*cols, 1)
				a, _ := quantAct(typ, x, nt, cols)
				out := make([]float32, nt*rows)
				run := func(name string, f func()) {
					b.Run(fmt.Sprintf("%s/%s/nt=%d/%s", k.name, typ, nt, name), func(b *testing.B) {
						b.SetBytes(int64(len(w)))
						flops := 2 * float64(rows) * float64(cols) * float64(nt)
						timeFlops(b, flops, f)
					})
				}
				run("gguf", func() { k.mat[typ](w, rows, a, 0, nt, out, rows) })
				run("packed", func() { k.packed[typ](pw, rows/packRows, a, 0, nt, out, rows) })
			}
		}
	}
}

// BenchmarkPackRows is the load-time cost of repacking a 4096x4096 weight.
func BenchmarkPackRows(b *testing.B) {
	const rows, cols = 4096, 4096
	for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K, quant.F16, quant.F32} {
		b.Run(typ.String(), func(b *testing.B) {
			w := randWeight(rand.New(rand.NewPCG(1, 1)), typ, rows, cols)
			nb := cols / typ.BlockSize()
			pw := make([]byte, rows/packRows*nb*packedBlockBytes(typ))
			b.SetBytes(int64(len(w)))
			for i := 0; i < b.N; i++ {
				packRowsOf(typ, pw, w, rows/packRows, nb)
			}
		})
	}
}

// timeFlops runs f b.N times on one locked OS thread and reports GFLOP/s per wall second
// and, where the OS tells a thread's CPU time, per CPU second (cpu-GFLOP/s).
func timeFlops(b *testing.B, flops float64, f func()) {
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	c0, ok := threadCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f()
	}
	b.StopTimer()
	total := flops * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if c1, ok1 := threadCPU(); ok && ok1 && c1 > c0 {
		b.ReportMetric(total/(c1-c0).Seconds()/1e9, "cpu-GFLOP/s")
	}
}
