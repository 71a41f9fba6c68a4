package vk

import (
	"errors"
	"testing"

	"github.com/scopekv/scope/internal/backend"
)

func TestResultErrorWraps(t *testing.T) {
	cases := []struct {
		code int32
		want error
	}{
		{vkErrOutOfDeviceMemory, backend.ErrOutOfMemory},
		{vkErrOutOfHostMemory, backend.ErrOutOfMemory},
		{vkErrDeviceLost, backend.ErrDeviceLost},
		{vkErrFeatureNotPresent, backend.ErrUnsupported},
		{vkErrIncompatibleDriver, backend.ErrUnsupported},
	}
	for _, c := range cases {
		err := check("vkSomething", c.code)
		if !errors.Is(err, c.want) {
			t.Errorf("code %d: %v does not wrap %v", c.code, err, c.want)
		}
	}
	if err := check("vkSomething", vkErrTooManyObjects); err == nil || errors.Is(err, backend.ErrOutOfMemory) ||
		errors.Is(err, backend.ErrDeviceLost) || errors.Is(err, backend.ErrUnsupported) {
		t.Errorf("VK_ERROR_TOO_MANY_OBJECTS: %v", err)
	}
	if check("vkSomething", vkSuccess) != nil || check("vkSomething", vkTimeout) != nil {
		t.Error("non-negative results are not errors")
	}
}
