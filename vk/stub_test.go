//go:build !cgo || novulkan || !linux

package vk

import (
	"errors"
	"testing"

	"github.com/scopekv/scope/internal/backend"
)

func TestStubReportsUnsupported(t *testing.T) {
	if _, err := Open(Options{DeviceIndex: -1}); !errors.Is(err, backend.ErrUnsupported) {
		t.Errorf("Open = %v, want ErrUnsupported", err)
	}
	if _, err := ListDevices(); !errors.Is(err, backend.ErrUnsupported) {
		t.Errorf("ListDevices = %v, want ErrUnsupported", err)
	}
}
