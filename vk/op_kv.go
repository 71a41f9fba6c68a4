//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/shaders"
)

// keepLast returns slots with every entry but the last for a repeated slot set to -1, so
// parallel writes end as the reference's sequential ones do.
func keepLast(slots []int32) []int32 {
	seen := make(map[int32]bool, len(slots))
	out := make([]int32, len(slots))
	for i := len(slots) - 1; i >= 0; i-- {
		s := slots[i]
		if s >= 0 && seen[s] {
			s = -1
		}
		if s >= 0 {
			seen[s] = true
		}
		out[i] = s
	}
	return out
}

func checkSlots(kv *kvStore, slots []int32, allowNeg bool) error {
	n := int32(kv.l.Slots())
	for _, s := range slots {
		if s >= n || (s < 0 && !allowNeg) {
			return fmt.Errorf("slot %d out of range [0,%d)", s, n)
		}
	}
	return nil
}

func (d *Device) planKVWrite(p *plan, o backend.KVWrite) error {
	if o.N <= 0 {
		return nil
	}
	kv, err := d.ownKV(o.KV)
	if err != nil {
		return err
	}
	units, err := checkKVWrite(kv, o)
	if err != nil {
		return err
	}
	slots := o.Slots[:o.N*units]
	hd := kv.l.HeadDim
	a, err := d.operands(o.N*o.NKVHeads*hd, []backend.Buffer{o.K, o.V}, "K", "V")
	if err != nil {
		return err
	}
	push := shaders.KVWritePush{N: uint32(o.N), NKVHeads: uint32(o.NKVHeads), Units: uint32(units),
		UnitsPerKV: uint32(o.UnitsPerKVHead), HeadDim: uint32(hd), SlotsPerChunk: uint32(kv.slotsPerChunk),
		SlotOff: p.uploadInts(keepLast(slots)), PosOff: p.uploadInts(o.Pos[:o.N])}
	descs := []desc{rd(a[0]), rd(a[1]), arenaDesc()}
	descs = append(descs, chunkDescs(kv.k, true)...)
	descs = append(descs, chunkDescs(kv.v, true)...)
	descs = append(descs, wr(kv.pos))
	add(p, "kv_write_f32", &push, p.groups1D(o.N*units, 1), descs...)
	return nil
}

// checkKVWrite checks o's geometry and slots and returns its units per token.
func checkKVWrite(kv *kvStore, o backend.KVWrite) (int, error) {
	if o.NKVHeads <= 0 || o.UnitsPerKVHead <= 0 {
		return 0, fmt.Errorf("NKVHeads %d, UnitsPerKVHead %d", o.NKVHeads, o.UnitsPerKVHead)
	}
	units := o.NKVHeads * o.UnitsPerKVHead
	if len(o.Slots) < o.N*units || len(o.Pos) < o.N {
		return 0, fmt.Errorf("%d slots and %d positions for %d tokens of %d units", len(o.Slots), len(o.Pos), o.N, units)
	}
	return units, checkSlots(kv, o.Slots[:o.N*units], true)
}

func (d *Device) planKVSetPos(p *plan, o backend.KVSetPos) error {
	if len(o.Slots) == 0 {
		return nil
	}
	kv, err := d.ownKV(o.KV)
	if err != nil {
		return err
	}
	if len(o.Pos) < len(o.Slots) {
		return fmt.Errorf("%d positions for %d slots", len(o.Pos), len(o.Slots))
	}
	if err := checkSlots(kv, o.Slots, false); err != nil {
		return err
	}
	// Keep the last entry of a repeated slot, dropping the others from both arrays.
	last := keepLast(o.Slots)
	var slots, pos []int32
	for i, s := range last {
		if s >= 0 {
			slots, pos = append(slots, s), append(pos, o.Pos[i])
		}
	}
	push := shaders.KVSetPosPush{N: uint32(len(slots)), SlotOff: p.uploadInts(slots), PosOff: p.uploadInts(pos)}
	add(p, "kv_setpos", &push, p.groups1D(ceilDiv(len(slots), 256), 1), arenaDesc(), wr(kv.pos))
	return nil
}

func (d *Device) planKVCopy(p *plan, o backend.KVCopy) error {
	if len(o.Src) == 0 {
		return nil
	}
	kv, err := d.ownKV(o.KV)
	if err != nil {
		return err
	}
	if len(o.Dst) != len(o.Src) {
		return fmt.Errorf("%d sources and %d destinations", len(o.Src), len(o.Dst))
	}
	if err := checkSlots(kv, o.Src, false); err != nil {
		return err
	}
	if err := checkSlots(kv, o.Dst, false); err != nil {
		return err
	}
	for _, batch := range copyBatches(o.Src, o.Dst) {
		src, dst := o.Src[batch[0]:batch[1]], o.Dst[batch[0]:batch[1]]
		push := shaders.KVCopyPush{N: uint32(len(src)), HeadDim: uint32(kv.l.HeadDim),
			SlotsPerChunk: uint32(kv.slotsPerChunk), SrcOff: p.uploadInts(src), DstOff: p.uploadInts(dst)}
		descs := []desc{arenaDesc()}
		descs = append(descs, chunkDescs(kv.k, true)...)
		descs = append(descs, chunkDescs(kv.v, true)...)
		descs = append(descs, wr(kv.pos))
		add(p, "kv_copy_f32", &push, p.groups1D(len(src), 1), descs...)
	}
	return nil
}

// copyBatches splits the copies into consecutive runs [from, to) in which no slot is
// touched twice, so each run can go in parallel and the runs in order reproduce the
// sequential semantics.
func copyBatches(src, dst []int32) [][2]int {
	var out [][2]int
	touched := map[int32]bool{}
	start := 0
	for i := range src {
		if touched[src[i]] || touched[dst[i]] {
			out = append(out, [2]int{start, i})
			clear(touched)
			start = i
		}
		touched[src[i]] = true
		touched[dst[i]] = true
	}
	return append(out, [2]int{start, len(src)})
}
