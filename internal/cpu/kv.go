package cpu

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
)

// kvStore is the paged KV cache in host memory.
type kvStore struct {
	layout backend.KVLayout
	k, v   []float32 // (slots, headDim)
	pos    []int32   // (slots); -1 = empty
	freed  bool
}

func (s *kvStore) Layout() backend.KVLayout { return s.layout }

// Bytes implements backend.KVStore: the host memory of K, V and the positions.
func (s *kvStore) Bytes() int64 { return 4 * int64(len(s.k)+len(s.v)+len(s.pos)) }

// NewKV implements backend.Device.
func (d *Device) NewKV(l backend.KVLayout) (backend.KVStore, error) {
	if d.isClosed() {
		return nil, ErrClosed
	}
	if l.NumPages <= 0 || l.PageSize <= 0 || l.HeadDim <= 0 {
		return nil, fmt.Errorf("cpu: KV layout %+v: %w", l, ErrInvalidOp)
	}
	slots := int64(l.NumPages) * int64(l.PageSize)
	if slots*int64(l.HeadDim)*8+slots*4 > int64(maxAlloc()) {
		return nil, fmt.Errorf("cpu: KV layout %+v: %w", l, backend.ErrOutOfMemory)
	}
	n := int(slots)
	s := &kvStore{layout: l, pos: make([]int32, n)}
	var err error
	if s.k, err = allocFloats(n * l.HeadDim); err != nil {
		return nil, err
	}
	if s.v, err = allocFloats(n * l.HeadDim); err != nil {
		return nil, err
	}
	for i := range s.pos {
		s.pos[i] = -1
	}
	return s, nil
}

func asKV(s backend.KVStore) (*kvStore, error) {
	kv, ok := s.(*kvStore)
	if !ok || kv == nil {
		return nil, fmt.Errorf("KV store %T: %w", s, ErrForeign)
	}
	if kv.freed {
		return nil, fmt.Errorf("KV store used after FreeKV: %w", ErrInvalidOp)
	}
	return kv, nil
}

// checkSlots verifies that every entry of slots is a slot of kv (or -1 when allowEmpty).
func (s *kvStore) checkSlots(slots []int32, allowEmpty bool) error {
	n := int32(len(s.pos))
	for i, v := range slots {
		if (v < 0 && !(allowEmpty && v == -1)) || v >= n {
			return fmt.Errorf("slot %d (#%d) outside [0, %d): %w", v, i, n, ErrInvalidOp)
		}
	}
	return nil
}

func kvWrite(o backend.KVWrite) error {
	kv, err := asKV(o.KV)
	if err != nil {
		return err
	}
	hd := kv.layout.HeadDim
	units := o.NKVHeads * o.UnitsPerKVHead
	if o.N < 0 || o.NKVHeads <= 0 || o.UnitsPerKVHead <= 0 || len(o.Slots) < o.N*units || len(o.Pos) < o.N {
		return fmt.Errorf("N %d, KV heads %d x %d units, %d slots, %d positions: %w",
			o.N, o.NKVHeads, o.UnitsPerKVHead, len(o.Slots), len(o.Pos), ErrInvalidOp)
	}
	if err := kv.checkSlots(o.Slots[:o.N*units], true); err != nil {
		return err
	}
	k, err := asBuffer(o.K, o.N*o.NKVHeads*hd)
	if err != nil {
		return fmt.Errorf("K: %w", err)
	}
	v, err := asBuffer(o.V, o.N*o.NKVHeads*hd)
	if err != nil {
		return fmt.Errorf("V: %w", err)
	}
	for t := 0; t < o.N; t++ {
		for u := 0; u < units; u++ {
			s := int(o.Slots[t*units+u])
			if s < 0 {
				continue
			}
			src := (t*o.NKVHeads + u/o.UnitsPerKVHead) * hd
			copy(kv.k[s*hd:(s+1)*hd], k[src:src+hd])
			copy(kv.v[s*hd:(s+1)*hd], v[src:src+hd])
			kv.pos[s] = o.Pos[t]
		}
	}
	return nil
}

func kvSetPos(o backend.KVSetPos) error {
	kv, err := asKV(o.KV)
	if err != nil {
		return err
	}
	if len(o.Pos) < len(o.Slots) {
		return fmt.Errorf("%d slots, %d positions: %w", len(o.Slots), len(o.Pos), ErrInvalidOp)
	}
	if err := kv.checkSlots(o.Slots, false); err != nil {
		return err
	}
	for i, s := range o.Slots {
		kv.pos[s] = o.Pos[i]
	}
	return nil
}

// kvCopy moves slots in list order; a later pair sees the effect of earlier ones.
func kvCopy(o backend.KVCopy) error {
	kv, err := asKV(o.KV)
	if err != nil {
		return err
	}
	if len(o.Src) != len(o.Dst) {
		return fmt.Errorf("%d sources, %d destinations: %w", len(o.Src), len(o.Dst), ErrInvalidOp)
	}
	if err := kv.checkSlots(o.Src, false); err != nil {
		return err
	}
	if err := kv.checkSlots(o.Dst, false); err != nil {
		return err
	}
	hd := kv.layout.HeadDim
	for i, src := range o.Src {
		s, d := int(src), int(o.Dst[i])
		copy(kv.k[d*hd:(d+1)*hd], kv.k[s*hd:(s+1)*hd])
		copy(kv.v[d*hd:(d+1)*hd], kv.v[s*hd:(s+1)*hd])
		kv.pos[d] = kv.pos[s]
		kv.pos[s] = -1
	}
	return nil
}
