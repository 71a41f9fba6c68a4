package runtime

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/internal/cpu"
)

func init() {
	openers["cpu"] = func(cfg *Config) (backend.Device, error) {
		return cpu.Open(cpu.Options{Threads: cfg.Threads, Path: cfg.CPUPath})
	}
	addLister(func(threads int) []string {
		d, err := cpu.Open(cpu.Options{Threads: threads})
		if err != nil {
			return []string{fmt.Sprintf("cpu: unavailable: %v", err)}
		}
		defer d.Close()
		return []string{fmt.Sprintf("%s (paths: %v)", d.Caps().Name, cpu.Paths())}
	})
}

// MeasureBandwidth measures the host's memory read bandwidth in bytes per second: the best
// of three passes over a buffer far larger than the caches, so a busy moment does not
// understate it (the roofline is the best the machine can do).
func MeasureBandwidth(threads int) float64 {
	var best float64
	for range 3 {
		best = max(best, cpu.MeasureReadBandwidth(threads, 512<<20))
	}
	return best
}
