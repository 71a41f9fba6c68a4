//go:build !cgo || novulkan || !linux

package vk

import (
	"context"
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

var errNoVulkan = fmt.Errorf("vulkan: built without Vulkan (needs cgo on linux, without the novulkan tag): %w", backend.ErrUnsupported)

// Device is never returned by this build: Open always fails.
type Device struct{}

// Open reports that this binary was built without Vulkan.
func Open(Options) (*Device, error) { return nil, errNoVulkan }

// ListDevices reports that this binary was built without Vulkan.
func ListDevices() ([]DeviceInfo, error) { return nil, errNoVulkan }

func (*Device) Caps() backend.Caps { return backend.Caps{} }
func (*Device) UploadWeight(string, quant.Type, int, int, []byte) (backend.Weight, error) {
	return nil, errNoVulkan
}
func (*Device) NewBuffer(int) (backend.Buffer, error)           { return nil, errNoVulkan }
func (*Device) NewKV(backend.KVLayout) (backend.KVStore, error) { return nil, errNoVulkan }
func (*Device) Supports(backend.Op) bool                        { return false }
func (*Device) Run(context.Context, []backend.Op) error         { return errNoVulkan }
func (*Device) Read(backend.Buffer, []float32) error            { return errNoVulkan }
func (*Device) Write(backend.Buffer, []float32) error           { return errNoVulkan }
func (*Device) Close() error                                    { return nil }
func (*Device) Timings() []KernelTime                           { return nil }
func (*Device) Counters() backend.Counters                      { return backend.Counters{} }
func (*Device) Info() DeviceInfo                                { return DeviceInfo{} }
func (*Device) ValidationMessages() []string                    { return nil }

var _ backend.Device = (*Device)(nil)

func (*Device) FreeBuffer(backend.Buffer) error { return errNoVulkan }
func (*Device) FreeKV(backend.KVStore) error    { return errNoVulkan }
func (*Device) MemoryBytes() int64              { return 0 }
