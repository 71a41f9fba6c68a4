package runtime

import (
	"github.com/scopekv/scope/internal/cpu"
)

// RepackInfo describes the weights the CPU backend stored a second time at load, in an
// interleaved layout its kernels read faster (the other weights stay memory-mapped).
type RepackInfo struct {
	Tensors    int     `json:"tensors"`
	ExtraBytes int64   `json:"extra_bytes"`
	Seconds    float64 `json:"seconds"`
}

// Repacked reports what the device repacked at load; zero on devices that repack nothing.
func (m *Model) Repacked() RepackInfo {
	d, ok := m.dev.(*cpu.Device)
	if !ok {
		return RepackInfo{}
	}
	s := d.PackStats()
	return RepackInfo{Tensors: s.Tensors, ExtraBytes: s.Bytes, Seconds: s.Time.Seconds()}
}
