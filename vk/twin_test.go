//go:build cgo && !novulkan && linux

package vk

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/internal/ref"
	"github.com/scopekv/scope/model/quant"
)

// twin runs the same ops on the scalar reference (side 0) and a Vulkan device (side 1).
type twin struct {
	t   *testing.T
	dev [2]backend.Device
	rng *rand.Rand
	vkd *Device
}

func newTwin(t *testing.T, d *Device) *twin {
	return &twin{t: t, dev: [2]backend.Device{ref.NewDevice(), d}, vkd: d, rng: rand.New(rand.NewPCG(1, uint64(len(t.Name()))))}
}

type tbuf [2]backend.Buffer
type tweight [2]backend.Weight
type tkv [2]backend.KVStore

func (tw *twin) randn(n int, scale float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(tw.rng.NormFloat64()) * scale
	}
	return v
}

func (tw *twin) buf(vals []float32) tbuf {
	tw.t.Helper()
	var out tbuf
	for s, d := range tw.dev {
		b, err := d.NewBuffer(len(vals))
		if err != nil {
			tw.t.Fatal(err)
		}
		if err := d.Write(b, vals); err != nil {
			tw.t.Fatal(err)
		}
		out[s] = b
	}
	return out
}

func (tw *twin) zeros(n int) tbuf { return tw.buf(make([]float32, n)) }

// weight quantises vals (rows x cols) to type t and uploads the bytes to both sides.
func (tw *twin) weight(t quant.Type, rows, cols int, vals []float32) tweight {
	tw.t.Helper()
	rowBytes, err := t.RowBytes(cols)
	if err != nil {
		tw.t.Fatal(err)
	}
	data := make([]byte, rows*rowBytes)
	if err := quant.Quantize(t, vals, data); err != nil {
		tw.t.Fatal(err)
	}
	var out tweight
	for s, d := range tw.dev {
		w, err := d.UploadWeight(fmt.Sprintf("w%s", t), t, rows, cols, data)
		if err != nil {
			tw.t.Fatalf("side %d: UploadWeight %s %dx%d: %v", s, t, rows, cols, err)
		}
		out[s] = w
	}
	return out
}

func (tw *twin) kv(l backend.KVLayout) tkv {
	tw.t.Helper()
	var out tkv
	for s, d := range tw.dev {
		kv, err := d.NewKV(l)
		if err != nil {
			tw.t.Fatal(err)
		}
		out[s] = kv
	}
	return out
}

// run runs ops(side) on both sides, as one Run each.
func (tw *twin) run(ops func(s int) []backend.Op) {
	tw.t.Helper()
	for s, d := range tw.dev {
		if err := d.Run(context.Background(), ops(s)); err != nil {
			tw.t.Fatalf("side %d: %v", s, err)
		}
	}
}

func (tw *twin) read(b tbuf, s int) []float32 {
	tw.t.Helper()
	out := make([]float32, b[s].Len())
	if err := tw.dev[s].Read(b[s], out); err != nil {
		tw.t.Fatal(err)
	}
	return out
}

// nmse is sum (got-want)^2 / sum want^2 (the plain squared error when want is all zero).
func nmse(got, want []float32) float64 {
	var num, den float64
	for i := range want {
		d := float64(got[i]) - float64(want[i])
		num += d * d
		den += float64(want[i]) * float64(want[i])
	}
	if math.IsNaN(num) {
		return math.Inf(1)
	}
	if den == 0 {
		return num
	}
	return num / den
}

// compare fails when the Vulkan side's buffer differs from the reference by more than
// tol in normalised MSE.
func (tw *twin) compare(name string, b tbuf, tol float64) {
	tw.t.Helper()
	want, got := tw.read(b, 0), tw.read(b, 1)
	if e := nmse(got, want); e > tol || math.IsNaN(e) {
		i := worst(got, want)
		tw.t.Errorf("%s: normalised MSE %.3g > %.3g (worst [%d] got %v want %v)", name, e, tol, i, got[i], want[i])
	}
}

// exact fails on any difference.
func (tw *twin) exact(name string, b tbuf) {
	tw.t.Helper()
	want, got := tw.read(b, 0), tw.read(b, 1)
	for i := range want {
		if got[i] != want[i] && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
			tw.t.Errorf("%s: [%d] = %v, want %v", name, i, got[i], want[i])
			return
		}
	}
}

func worst(got, want []float32) int {
	best, bi := -1.0, 0
	for i := range want {
		if d := math.Abs(float64(got[i]) - float64(want[i])); d > best || math.IsNaN(d) {
			best, bi = d, i
			if math.IsNaN(d) {
				break
			}
		}
	}
	return bi
}

// readKV returns the Vulkan store's K, V and positions by slot.
func readKV(t *testing.T, d *Device, s backend.KVStore) (k, v []float32, pos []int32) {
	t.Helper()
	kv := s.(*kvStore)
	d.mu.Lock()
	defer d.mu.Unlock()
	l := kv.l
	hd := l.HeadDim
	k = make([]float32, l.Slots()*hd)
	v = make([]float32, l.Slots()*hd)
	pos = make([]int32, l.Slots())
	for i := range kv.k {
		off := i * kv.slotsPerChunk * hd
		n := min(kv.slotsPerChunk*hd, len(k)-off)
		mustDownload(t, d, kv.k[i], k[off:off+n])
		mustDownload(t, d, kv.v[i], v[off:off+n])
	}
	if err := d.download(kv.pos, unsafe.Slice((*byte)(unsafe.Pointer(&pos[0])), 4*len(pos))); err != nil {
		t.Fatal(err)
	}
	return k, v, pos
}

func mustDownload(t *testing.T, d *Device, a allocation, dst []float32) {
	t.Helper()
	if err := d.download(a, unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst))); err != nil {
		t.Fatal(err)
	}
}

// compareKV fails unless both stores hold the same positions, and K and V within tol
// (normalised MSE; 0 demands equal bits).
func (tw *twin) compareKV(name string, kv tkv, tol float64) {
	tw.t.Helper()
	rk := kv[0].(*ref.KV)
	k, v, pos := readKV(tw.t, tw.vkd, kv[1])
	for s := range pos {
		if pos[s] != rk.Pos[s] {
			tw.t.Errorf("%s: slot %d position %d, want %d", name, s, pos[s], rk.Pos[s])
			return
		}
	}
	for _, c := range []struct {
		what      string
		got, want []float32
	}{{"K", k, rk.K}, {"V", v, rk.V}} {
		if tol == 0 {
			for i := range c.want {
				if c.got[i] != c.want[i] {
					tw.t.Errorf("%s: %s[%d] = %v, want %v", name, c.what, i, c.got[i], c.want[i])
					break
				}
			}
		} else if e := nmse(c.got, c.want); e > tol {
			tw.t.Errorf("%s: %s normalised MSE %.3g > %.3g", name, c.what, e, tol)
		}
	}
}
