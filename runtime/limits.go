package runtime

import (
	"fmt"
	"math"

	"github.com/scopekv/scope/internal/sysmem"
	"github.com/scopekv/scope/model"
)

const (
	// defaultContextCap bounds the context of a session that asks for none: the model's
	// trained context, at most this many positions.
	defaultContextCap = 4096
	// defaultPageSize is the KV page size in slots when the session does not choose one.
	defaultPageSize = 16
	// spareTablePages are the pages a policy table may hold beyond its context's worth
	// per (layer, unit): a page with holes left by evictions and one copied on write.
	spareTablePages = 2
	// maxSlots bounds a KV store: positions and slot ids are int32.
	maxSlots = math.MaxInt32
)

// kvSlotBytes is what the KV store holds per slot: K and V in float32 and an int32 position.
func kvSlotBytes(c model.Config) int64 { return int64(2*4*c.HeadDim + 4) }

// actsFloats is the float32 count of a session's activation buffers (see newActs).
func actsFloats(c model.Config, batch int) int64 {
	b, qDim := int64(batch), int64(c.NHeads*c.HeadDim)
	wide := max(int64(c.Dim), qDim)
	perToken := 2*wide + int64(c.Dim) + 2*qDim + 2*int64(c.KVDim()) + 2*int64(c.HiddenDim)
	return b*perToken + 2*int64(c.Dim) + int64(c.VocabSize)
}

// checkSession refuses, before anything is allocated, a session whose KV store (pages of
// pageSize slots), host page bookkeeping and activations would not fit in the memory the
// device has besides the weights. hostBytesPerSlot is the bookkeeping per slot.
func (m *Model) checkSession(pages int64, pageSize int, hostBytesPerSlot int64) error {
	slots := pages * int64(pageSize)
	if err := m.checkMemory(pages, slots, hostBytesPerSlot); err != nil {
		return err
	}
	if pages <= 0 || slots > maxSlots {
		return fmt.Errorf("%w: a KV store of %d pages of %d slots (at most %d slots)", ErrBadConfig, pages, pageSize, maxSlots)
	}
	return nil
}

// checkMemory compares a session's bytes with the device's memory besides the weights.
func (m *Model) checkMemory(pages, slots, hostBytesPerSlot int64) error {
	c := m.file.Config
	kvBytes := slots * kvSlotBytes(c)
	need := kvBytes + slots*hostBytesPerSlot + pages*4 + actsFloats(c, m.cfg.BatchSize)*4
	budget := m.caps.MemoryBytes
	if budget <= 0 {
		budget = sysmem.Total()
	}
	if budget <= 0 {
		return nil // nothing to compare with; the allocations report what fails
	}
	if avail := budget - m.WeightBytes(); need > avail {
		return fmt.Errorf("%w: the session needs %s (KV cache %s for %d slots), the device has %s besides the weights",
			ErrOutOfMemory, gib(need), gib(kvBytes), slots, gib(max(avail, 0)))
	}
	return nil
}

func gib(n int64) string { return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30)) }
