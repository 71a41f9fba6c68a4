package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scopekv/scope/internal/backend"
)

// attnBench builds a decode attention op over depth cached tokens: 32 query heads in
// 4 units of head size 64 (TinyLlama's shape), pages of 16 slots.
func attnBench(b *testing.B, d *Device, depth int) *attnJob {
	const heads, units, hd, ps = 32, 4, 64, 16
	pages := (depth + ps - 1) / ps
	kvAny, err := d.NewKV(backend.KVLayout{NumPages: units * pages, PageSize: ps, HeadDim: hd})
	if err != nil {
		b.Fatal(err)
	}
	kv := kvAny.(*kvStore)
	r := rand.New(rand.NewPCG(1, 2))
	copy(kv.k, randFloats(r, len(kv.k), 1))
	copy(kv.v, randFloats(r, len(kv.v), 1))
	tables := make([][]int32, units)
	for u := range tables {
		for p := 0; p < pages; p++ {
			tables[u] = append(tables[u], int32(u*pages+p))
		}
		for i := 0; i < depth; i++ {
			kv.pos[(u*pages)*ps+i] = int32(i)
		}
	}
	q, _ := d.NewBuffer(heads * hd)
	out, _ := d.NewBuffer(heads * hd)
	d.Write(q, randFloats(r, heads*hd, 1))
	j, err := newAttnJob(backend.Attention{Q: q, Out: out, KV: kv, N: 1, NHeads: heads, Units: units, HeadDim: hd,
		QPos: []int32{int32(depth)}, Tables: tables})
	if err != nil {
		b.Fatal(err)
	}
	return j
}

// BenchmarkAttnDecode compares one query token's attention computed head by head with the
// grouped computation (K and V rows read once per unit), on one thread.
func BenchmarkAttnDecode(b *testing.B) {
	d, err := Open(Options{Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	for _, depth := range []int{1024, 4096} {
		j := attnBench(b, d, depth)
		logits := make([]float32, j.group*depth)
		a := new(act)
		b.Run(fmt.Sprintf("d=%d/per-head", depth), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for h := 0; h < j.o.NHeads; h++ {
					d.attendOne(j, 0, h, logits)
				}
			}
		})
		b.Run(fmt.Sprintf("d=%d/grouped", depth), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for u := 0; u < j.o.Units; u++ {
					d.attendGroup(j, 0, u, logits, a)
				}
			}
		})
	}
}

// checkPV runs path k's pv for g heads, n slots and head size hd and compares every output
// with a float64 sum; the probabilities include zeros and dst starts non-zero.
func checkPV(t *testing.T, k *kernelSet, g, n, hd int, r *rand.Rand) {
	t.Helper()
	ldp := n + 3
	p := randFloats(r, g*ldp, 1)
	for i := range p {
		if r.IntN(4) == 0 {
			p[i] = 0
		}
	}
	v := randFloats(r, n*hd, 2)
	init := randFloats(r, g*hd, 1)
	const pad = 16
	all, dst := guarded(g*hd, pad)
	copy(dst, init)
	k.pv(dst, p, ldp, v, g, n, hd)
	name := fmt.Sprintf("%s g=%d n=%d hd=%d", k.name, g, n, hd)
	checkGuards(t, all, pad, name)
	for h := 0; h < g; h++ {
		for c := 0; c < hd; c++ {
			want, mag := float64(init[h*hd+c]), math.Abs(float64(init[h*hd+c]))
			for i := 0; i < n; i++ {
				want += float64(p[h*ldp+i]) * float64(v[i*hd+c])
				mag += math.Abs(float64(p[h*ldp+i]) * float64(v[i*hd+c]))
			}
			if got := float64(dst[h*hd+c]); math.Abs(got-want) > 1e-6*mag+1e-7 {
				t.Fatalf("%s: dst[%d][%d] = %v, want %v", name, h, c, got, want)
			}
		}
	}
}

func TestPV(t *testing.T) {
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(31, 32))
		for _, g := range []int{1, 3, 4, 5, 8, 9} {
			for _, n := range []int{1, 7, 16} {
				for _, hd := range []int{8, 64, 72, 128} {
					checkPV(t, k, g, n, hd, r)
				}
			}
		}
	})
}

// FuzzPV checks every path's pv against a float64 sum for fuzzer-chosen shapes.
func FuzzPV(f *testing.F) {
	f.Add(uint64(1), uint8(8), uint8(16), uint8(1))
	f.Add(uint64(2), uint8(5), uint8(3), uint8(2))
	f.Add(uint64(3), uint8(1), uint8(1), uint8(0))
	f.Fuzz(func(t *testing.T, seed uint64, g, n, hdSel uint8) {
		r := rand.New(rand.NewPCG(seed, 19))
		hds := []int{8, 64, 72, 128, 256}
		for _, k := range paths() {
			checkPV(t, k, int(g%12)+1, int(n%40)+1, hds[int(hdSel)%len(hds)], r)
		}
	})
}
