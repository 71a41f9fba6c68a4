package ref

import (
	"errors"
	"fmt"

	"github.com/scopekv/scope/internal/backend"
)

var errFreed = errors.New("ref: freed twice or not a reference object")

// FreeBuffer implements backend.Device: the buffer's memory goes to the garbage collector.
func (d *Device) FreeBuffer(b backend.Buffer) error {
	rb, ok := b.(*Buffer)
	if !ok || rb == nil || rb.freed {
		return fmt.Errorf("buffer %T: %w", b, errFreed)
	}
	rb.Data, rb.freed = nil, true
	return nil
}

// FreeKV implements backend.Device.
func (d *Device) FreeKV(s backend.KVStore) error {
	kv, ok := s.(*KV)
	if !ok || kv == nil || kv.freed {
		return fmt.Errorf("KV store %T: %w", s, errFreed)
	}
	kv.K, kv.V, kv.Pos, kv.freed = nil, nil, nil, true
	return nil
}
