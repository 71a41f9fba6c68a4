//go:build cgo && !novulkan && (linux || freebsd || darwin)

package vk

import (
	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

func (d *Device) UploadWeight(name string, t quant.Type, rows, cols int, data []byte) (backend.Weight, error) {
	return nil, unsupported("todo")
}

func (d *Device) NewKV(l backend.KVLayout) (backend.KVStore, error) { return nil, unsupported("todo") }
