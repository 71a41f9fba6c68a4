//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/shaders"
)

// kvStore is the paged KV store: K and V in chunks of whole pages (each chunk within one
// descriptor's range, at most shaders.KVChunks of them) and one int position per slot.
type kvStore struct {
	d             *Device
	l             backend.KVLayout
	k, v          []allocation
	pos           allocation
	slotsPerChunk int
}

func (kv *kvStore) Layout() backend.KVLayout { return kv.l }

// Bytes implements backend.KVStore: the device allocations of K, V and the positions.
func (kv *kvStore) Bytes() int64 {
	n := kv.pos.size
	for i := range kv.k {
		n += kv.k[i].size + kv.v[i].size
	}
	return n
}

// NewKV implements backend.Device: every slot empty (position -1), K and V zero.
func (d *Device) NewKV(l backend.KVLayout) (backend.KVStore, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.usable(); err != nil {
		return nil, err
	}
	if l.NumPages <= 0 || l.PageSize <= 0 || l.HeadDim <= 0 {
		return nil, fmt.Errorf("vulkan: KV layout %+v", l)
	}
	pageBytes := int64(l.PageSize) * int64(l.HeadDim) * 4
	perChunk := min(int64(l.NumPages), d.maxRange()/pageBytes)
	if perChunk < 1 {
		return nil, unsupported("a KV page of %d bytes exceeds the storage buffer range", pageBytes)
	}
	chunks := (int64(l.NumPages) + perChunk - 1) / perChunk
	if chunks > shaders.KVChunks {
		return nil, unsupported("a KV store of %d pages of %d bytes needs %d buffers of at most %d bytes (limit %d)",
			l.NumPages, pageBytes, chunks, d.maxRange(), shaders.KVChunks)
	}
	pos, err := d.newDeviceArray(l.Slots(), "KV positions")
	if err != nil {
		return nil, err
	}
	kv := &kvStore{d: d, l: l, pos: pos, slotsPerChunk: int(perChunk) * l.PageSize}
	d.fillWords(pos, 0xFFFFFFFF)
	for p := int64(0); p < int64(l.NumPages); p += perChunk {
		size := min(perChunk, int64(l.NumPages)-p) * pageBytes
		for _, dst := range []*[]allocation{&kv.k, &kv.v} {
			a, err := d.alloc(&d.devHeap, size)
			if err != nil {
				return nil, err
			}
			d.fillWords(a, 0)
			*dst = append(*dst, a)
		}
	}
	return kv, nil
}

// chunkDescs returns the KVChunks descriptors of K or V; unused entries repeat chunk 0.
func chunkDescs(chunks []allocation, write bool) []desc {
	out := make([]desc, shaders.KVChunks)
	for i := range out {
		a := chunks[0]
		if i < len(chunks) {
			a = chunks[i]
		}
		out[i] = desc{ref: a.ref(), write: write && i < len(chunks)}
	}
	return out
}

// ownKV checks that s is a KV store of this device.
func (d *Device) ownKV(s backend.KVStore) (*kvStore, error) {
	kv, ok := s.(*kvStore)
	if !ok || kv == nil || kv.d != d {
		return nil, fmt.Errorf("KV is not a KV store of this device")
	}
	return kv, nil
}
