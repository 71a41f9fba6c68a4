package runtime

import (
	"github.com/scopekv/scope/internal/cpu"
	"github.com/scopekv/scope/model/quant"
)

// RepackInfo describes the weights the CPU backend stored a second time, at their first
// use, in an interleaved layout its kernels read faster (the uploaded bytes stay mapped).
type RepackInfo struct {
	Tensors    int     `json:"tensors"`
	ExtraBytes int64   `json:"extra_bytes"`
	Seconds    float64 `json:"seconds"`
}

// Repacked reports what the device has repacked; zero on devices that repack nothing.
func (m *Model) Repacked() RepackInfo {
	d, ok := m.dev.(*cpu.Device)
	if !ok {
		return RepackInfo{}
	}
	s := d.PackStats()
	return RepackInfo{Tensors: s.Tensors, ExtraBytes: s.Bytes, Seconds: s.Time.Seconds()}
}

// CPURepackBytes returns the memory the CPU backend would add at first use for a weight of type
// t and shape (rows, cols) by keeping an interleaved copy, or 0 when it uses the weight's
// bytes as they are.
func CPURepackBytes(t quant.Type, rows, cols int) int64 { return cpu.PackedBytes(t, rows, cols) }
