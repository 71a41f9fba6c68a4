package cpu

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
)

// FreeBuffer implements backend.Device: the buffer's memory goes back to the garbage
// collector; later uses fail with ErrInvalidOp.
func (d *Device) FreeBuffer(b backend.Buffer) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	if _, err := asBuffer(b, 0); err != nil {
		return fmt.Errorf("cpu: free: %w", err)
	}
	buf := b.(*buffer)
	buf.data, buf.freed = nil, true
	return nil
}

// FreeKV implements backend.Device.
func (d *Device) FreeKV(s backend.KVStore) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	kv, err := asKV(s)
	if err != nil {
		return fmt.Errorf("cpu: free: %w", err)
	}
	kv.k, kv.v, kv.pos, kv.freed = nil, nil, nil, true
	return nil
}
