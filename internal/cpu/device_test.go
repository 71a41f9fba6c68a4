package cpu

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/internal/ref"
	"github.com/scopekv/scope/model/quant"
)

func openTest(t *testing.T, opts Options) *Device {
	t.Helper()
	d, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestOpenOptions(t *testing.T) {
	for _, p := range Paths() {
		d := openTest(t, Options{Path: p, Threads: 3})
		if d.Path() != p || d.Threads() != 3 {
			t.Errorf("Open(%q, 3 threads): path %q, %d threads", p, d.Path(), d.Threads())
		}
		if name := d.Caps().Name; !strings.HasPrefix(name, "cpu: ") || !strings.HasSuffix(name, ", 3 threads") {
			t.Errorf("Caps().Name = %q", name)
		}
	}
	best := openTest(t, Options{})
	if all := Paths(); best.Path() != all[len(all)-1] || best.Threads() < 1 {
		t.Errorf("default: path %q (paths %v), %d threads", best.Path(), all, best.Threads())
	}
	if _, err := Open(Options{Path: "sse9"}); !errors.Is(err, ErrInvalidOp) {
		t.Errorf("unknown path: %v", err)
	}
	if _, err := Open(Options{Threads: -1}); !errors.Is(err, ErrInvalidOp) {
		t.Errorf("negative threads: %v", err)
	}
	for _, p := range []string{"generic", "avx2", "avx512", "neon"} {
		if _, err := selectKernels(p); err != nil && !errors.Is(err, backend.ErrUnsupported) {
			t.Errorf("path %q: %v", p, err)
		}
	}
}

func TestClose(t *testing.T) {
	d := openTest(t, Options{Threads: 2})
	b, err := d.NewBuffer(4)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ops := []backend.Op{backend.Add{A: b, B: b, Out: b, N: 4}}
	if err := d.Run(context.Background(), ops); !errors.Is(err, ErrClosed) {
		t.Errorf("Run after Close: %v", err)
	}
	if _, err := d.NewBuffer(1); !errors.Is(err, ErrClosed) {
		t.Errorf("NewBuffer after Close: %v", err)
	}
}

func TestRunCancelled(t *testing.T) {
	d := openTest(t, Options{Threads: 1})
	b, _ := d.NewBuffer(4)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := d.Run(ctx, []backend.Op{backend.Add{A: b, B: b, Out: b, N: 4}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run with a cancelled context: %v", err)
	}
}

// TestInvalidOps checks that bad sizes, indices and foreign objects come back as typed
// errors (and do not panic).
func TestInvalidOps(t *testing.T) {
	d := openTest(t, Options{Threads: 2})
	buf := func(n int) backend.Buffer {
		b, err := d.NewBuffer(n)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	w, err := d.UploadWeight("w", quant.F32, 4, 8, make([]byte, 4*8*4))
	if err != nil {
		t.Fatal(err)
	}
	kv, err := d.NewKV(backend.KVLayout{NumPages: 2, PageSize: 4, HeadDim: 8})
	if err != nil {
		t.Fatal(err)
	}
	foreign, _ := ref.NewDevice().NewBuffer(64)
	x, out, small := buf(16), buf(8), buf(3)
	cases := []struct {
		name string
		op   backend.Op
		want error
	}{
		{"matmul short X", backend.MatMul{W: w, X: small, Out: out, N: 1}, ErrInvalidOp},
		{"matmul short Out", backend.MatMul{W: w, X: x, Out: small, N: 2}, ErrInvalidOp},
		{"matmul X is Out", backend.MatMul{W: w, X: x, Out: x, N: 1}, ErrInvalidOp},
		{"matmul negative N", backend.MatMul{W: w, X: x, Out: out, N: -1}, ErrInvalidOp},
		{"matmul bad bias", backend.MatMul{W: w, Bias: w, X: x, Out: out, N: 1}, ErrInvalidOp},
		{"matmul foreign X", backend.MatMul{W: w, X: foreign, Out: out, N: 1}, ErrForeign},
		{"embed token", backend.Embed{Table: w, Tokens: []int32{4}, Out: out}, ErrInvalidOp},
		{"embed negative token", backend.Embed{Table: w, Tokens: []int32{-1}, Out: out}, ErrInvalidOp},
		{"rmsnorm dim", backend.RMSNorm{X: x, Out: x, W: w, N: 1, Dim: 8}, ErrInvalidOp},
		{"rope odd dim", backend.RoPE{X: x, N: 1, NHeads: 2, HeadDim: 8, RopeDim: 7, Pos: []int32{0}}, ErrInvalidOp},
		{"rope positions", backend.RoPE{X: x, N: 2, NHeads: 1, HeadDim: 8, RopeDim: 8, Pos: []int32{0}}, ErrInvalidOp},
		{"add short", backend.Add{A: x, B: small, Out: x, N: 4}, ErrInvalidOp},
		{"swiglu foreign", backend.SwiGLU{Gate: x, Up: foreign, Out: x, N: 4}, ErrForeign},
		{"kvwrite slot", backend.KVWrite{KV: kv, K: x, V: x, N: 1, NKVHeads: 1, UnitsPerKVHead: 1, Slots: []int32{8}, Pos: []int32{0}}, ErrInvalidOp},
		{"kvwrite slots short", backend.KVWrite{KV: kv, K: x, V: x, N: 1, NKVHeads: 1, UnitsPerKVHead: 2, Slots: []int32{1}, Pos: []int32{0}}, ErrInvalidOp},
		{"kvsetpos slot", backend.KVSetPos{KV: kv, Slots: []int32{-1}, Pos: []int32{0}}, ErrInvalidOp},
		{"kvcopy lengths", backend.KVCopy{KV: kv, Src: []int32{0}, Dst: nil}, ErrInvalidOp},
		{"attention page", backend.Attention{Q: x, Out: x, KV: kv, N: 1, NHeads: 1, Units: 1, HeadDim: 8, QPos: []int32{0}, Tables: [][]int32{{2}}}, ErrInvalidOp},
		{"attention units", backend.Attention{Q: x, Out: x, KV: kv, N: 1, NHeads: 3, Units: 2, HeadDim: 8, QPos: []int32{0}, Tables: [][]int32{{0}, {1}}}, ErrInvalidOp},
		{"attention headDim", backend.Attention{Q: x, Out: x, KV: kv, N: 1, NHeads: 1, Units: 1, HeadDim: 4, QPos: []int32{0}, Tables: [][]int32{{0}}}, ErrInvalidOp},
		{"attention scores", backend.Attention{Q: x, Out: x, KV: kv, N: 1, NHeads: 1, Units: 1, HeadDim: 8, QPos: []int32{0}, Tables: [][]int32{{0, 1}}, Scores: out, ScoreStride: 4}, ErrInvalidOp},
		{"argmax short", backend.Argmax{X: small, Out: out, N: 1, Dim: 4}, ErrInvalidOp},
		{"copy range", backend.Copy{Src: x, Dst: small, N: 4}, ErrInvalidOp},
		{"copy negative", backend.Copy{Src: x, Dst: x, SrcOff: -1, N: 1}, ErrInvalidOp},
	}
	for _, c := range cases {
		err := d.Run(context.Background(), []backend.Op{c.op})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if d.Supports(&backend.Add{}) {
		t.Error("Supports(pointer op) = true")
	}
	if err := d.Run(context.Background(), []backend.Op{&backend.Add{}}); !errors.Is(err, backend.ErrUnsupported) {
		t.Errorf("pointer op: %v", err)
	}
}

func TestUploadWeight(t *testing.T) {
	d := openTest(t, Options{Threads: 2})
	r := rand.New(rand.NewPCG(1, 2))
	if _, err := d.UploadWeight("short", quant.Q4_0, 2, 32, make([]byte, 35)); !errors.Is(err, ErrInvalidOp) {
		t.Errorf("short data: %v", err)
	}
	if _, err := d.UploadWeight("cols", quant.Q4_0, 1, 33, make([]byte, 18)); !errors.Is(err, ErrInvalidOp) {
		t.Errorf("cols not a block multiple: %v", err)
	}
	if _, err := d.UploadWeight("type", quant.Type(99), 1, 4, make([]byte, 16)); !errors.Is(err, ErrInvalidOp) {
		t.Errorf("unknown type: %v", err)
	}
	// Kernel types alias the caller's bytes: a change to them shows in the next product.
	data := randWeight(r, quant.Q4_0, 3, 64)
	w, err := d.UploadWeight("q4", quant.Q4_0, 3, 64, data)
	if err != nil || Repacked(w) {
		t.Fatalf("Q4_0 upload: %v, repacked %v", err, Repacked(w))
	}
	if &w.(*weight).data[0] != &data[0] {
		t.Error("Q4_0 weight does not alias the uploaded bytes")
	}
	// Misaligned F32 bytes are copied; a type without kernels is converted to Q8_0.
	raw := make([]byte, 1+4*2*8)
	copy(raw[1:], f32Bytes(randFloats(r, 16, 1)))
	wf, err := d.UploadWeight("f32", quant.F32, 2, 8, raw[1:])
	if err != nil || !Repacked(wf) || wf.Type() != quant.F32 {
		t.Errorf("misaligned F32: %v, repacked %v, type %v", err, Repacked(wf), wf.Type())
	}
	src := randFloats(r, 2*256, 1)
	q5 := make([]byte, 2*176)
	if err := quant.Quantize(quant.Q5_K, src, q5); err != nil {
		t.Fatal(err)
	}
	w5, err := d.UploadWeight("q5k", quant.Q5_K, 2, 256, q5)
	if err != nil || w5.Type() != quant.Q8_0 || !Repacked(w5) {
		t.Errorf("Q5_K upload: %v, type %v", err, w5.Type())
	}
}

// TestRepackedAgrees checks a weight converted at upload against the reference device.
func TestRepackedAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, typ := range []quant.Type{quant.Q5_K, quant.Q4_1, quant.Q2_K} {
		const rows, cols, n = 5, 512, 3
		data := make([]byte, rows*mustRowBytes(t, typ, cols))
		if err := quant.Quantize(typ, randFloats(r, rows*cols, 1), data); err != nil {
			t.Fatal(err)
		}
		tw := newTwin(t, openTest(t, Options{Threads: 2}))
		tw.weight("w", typ, rows, cols, data)
		tw.buf("x", randFloats(r, n*cols, 1))
		tw.buf("y", make([]float32, n*rows))
		tw.buf("e", make([]float32, 2*cols))
		tw.run([]step{{"matmul", func(s int) backend.Op {
			return backend.MatMul{W: tw.ws["w"][s], X: tw.bufs["x"][s], Out: tw.bufs["y"][s], N: n}
		}, []string{"y"}, 3e-2}, {"embed", func(s int) backend.Op {
			return backend.Embed{Table: tw.ws["w"][s], Tokens: []int32{4, 1}, Out: tw.bufs["e"][s]}
		}, []string{"e"}, 0}})
	}
}

func mustRowBytes(t *testing.T, typ quant.Type, cols int) int {
	n, err := typ.RowBytes(cols)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConcurrentRuns drives one device from several goroutines (Run serialises them);
// run with -race it checks the pool's hand-offs.
func TestConcurrentRuns(t *testing.T) {
	d := openTest(t, Options{Threads: 3})
	r := rand.New(rand.NewPCG(5, 6))
	const rows, cols = 67, 256
	w, err := d.UploadWeight("w", quant.Q4_K, rows, cols, randWeight(r, quant.Q4_K, rows, cols))
	if err != nil {
		t.Fatal(err)
	}
	x, _ := d.NewBuffer(9 * cols)
	_ = d.Write(x, randFloats(r, 9*cols, 1))
	want := make([][]float32, 4)
	var wg sync.WaitGroup
	for g := range want {
		out, _ := d.NewBuffer(9 * rows)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if err := d.Run(context.Background(), []backend.Op{backend.MatMul{W: w, X: x, Out: out, N: 9}}); err != nil {
					t.Error(err)
					return
				}
			}
			want[g] = make([]float32, 9*rows)
			_ = d.Read(out, want[g])
		}()
	}
	wg.Wait()
	for g := 1; g < len(want); g++ {
		for i := range want[0] {
			if want[g][i] != want[0][i] {
				t.Fatalf("goroutine %d: out[%d] = %v, goroutine 0 got %v", g, i, want[g][i], want[0][i])
			}
		}
	}
}
