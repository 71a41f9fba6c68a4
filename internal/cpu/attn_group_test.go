package cpu

import (
	"fmt"
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
					d.attendGroup(j, 0, u, logits)
				}
			}
		})
	}
}
