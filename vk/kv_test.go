//go:build cgo && !novulkan && linux

package vk

import (
	"errors"
	"testing"

	"github.com/scopekv/scope/internal/backend"
)

func TestKVOps(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		d := sharedDevice(t)
		if chunked {
			// 9 pages of 4x40 floats (640 bytes): two pages per chunk, five chunks.
			d = openOrSkip(t, Options{DeviceIndex: -1, Validation: true, maxRange: 1400})
		}
		tw := newTwin(t, d)
		l := backend.KVLayout{NumPages: 9, PageSize: 4, HeadDim: 40}
		kv := tw.kv(l)
		if chunked && len(kv[1].(*kvStore).k) != 5 {
			t.Fatalf("%d chunks, want 5", len(kv[1].(*kvStore).k))
		}
		tw.compareKV("new", kv, 0)
		n, heads := 3, 2
		k, v := tw.buf(tw.randn(n*heads*40, 1)), tw.buf(tw.randn(n*heads*40, 1))
		// Group mode: token t of head h -> slot. -1 skips; slot 7 is written twice (the
		// second write wins).
		group := []int32{0, 4, 7, -1, 8, 7}
		// Faithful mode: 3 units per KV head.
		faithful := []int32{10, 11, 12, 20, 21, 22, 13, -1, 35, 23, 24, 25, 14, 15, 16, 26, 27, 28}
		tw.run(func(s int) []backend.Op {
			return []backend.Op{
				backend.KVWrite{KV: kv[s], K: k[s], V: v[s], N: n, NKVHeads: heads, UnitsPerKVHead: 1, Slots: group, Pos: []int32{5, 6, 7}},
				backend.KVWrite{KV: kv[s], K: k[s], V: v[s], N: n, NKVHeads: heads, UnitsPerKVHead: 3, Slots: faithful, Pos: []int32{0, 1, 2}},
			}
		})
		tw.compareKV("write", kv, 0)
		tw.run(func(s int) []backend.Op {
			return []backend.Op{
				backend.KVSetPos{KV: kv[s], Slots: []int32{0, 4, 10, 4, 35}, Pos: []int32{-1, 9, 3, 11, -1}},
				// A chain (12->30, then 30->31), a copy onto itself, and a copy back into a
				// slot emptied by the chain.
				backend.KVCopy{KV: kv[s], Src: []int32{12, 30, 13, 20, 31}, Dst: []int32{30, 31, 13, 12, 20}},
			}
		})
		tw.compareKV("setpos+copy", kv, 0)
	}
}

func TestKVErrors(t *testing.T) {
	d := sharedDevice(t)
	kvs, err := d.NewKV(backend.KVLayout{NumPages: 2, PageSize: 4, HeadDim: 8})
	if err != nil {
		t.Fatal(err)
	}
	k, _ := d.NewBuffer(8)
	bad := []backend.Op{
		backend.KVSetPos{KV: kvs, Slots: []int32{8}, Pos: []int32{0}},
		backend.KVSetPos{KV: kvs, Slots: []int32{-1}, Pos: []int32{0}},
		backend.KVCopy{KV: kvs, Src: []int32{0, 1}, Dst: []int32{2}},
		backend.KVWrite{KV: kvs, K: k, V: k, N: 1, NKVHeads: 1, UnitsPerKVHead: 1, Slots: []int32{9}, Pos: []int32{0}},
		backend.KVWrite{KV: kvs, K: k, V: k, N: 2, NKVHeads: 1, UnitsPerKVHead: 1, Slots: []int32{0, 1}, Pos: []int32{0, 1}},
	}
	for i, op := range bad {
		if err := d.Run(t.Context(), []backend.Op{op}); err == nil {
			t.Errorf("bad op %d (%T) accepted", i, op)
		}
	}
	if _, err := d.NewKV(backend.KVLayout{NumPages: 0, PageSize: 4, HeadDim: 8}); err == nil {
		t.Error("empty KV layout accepted")
	}
	small := openOrSkip(t, Options{DeviceIndex: -1, maxRange: 1024})
	_, err = small.NewKV(backend.KVLayout{NumPages: 100, PageSize: 4, HeadDim: 64})
	if !errors.Is(err, backend.ErrUnsupported) {
		t.Errorf("KV store beyond %d chunks: %v, want ErrUnsupported", 8, err)
	}
}
