package runtime

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/internal/faults"
	"github.com/scopekv/scope/vk"
)

func init() {
	openers["vulkan"] = openVulkan
	addLister(listVulkan)
}

func openVulkan(cfg *Config) (backend.Device, error) {
	if faults.Hit(faults.Open) {
		return nil, fmt.Errorf("vulkan: open: %w (injected fault)", backend.ErrDeviceLost)
	}
	d, err := vk.Open(vk.Options{DeviceIndex: cfg.Device - 1, Validation: cfg.Validation, Timings: cfg.VKTimings})
	if err != nil {
		return nil, err
	}
	if cfg.VKTimings {
		return &timedVK{Device: d, log: cfg.Log}, nil
	}
	return d, nil
}

func listVulkan(int) []string {
	devs, err := vk.ListDevices()
	if err != nil {
		return []string{fmt.Sprintf("vulkan: unavailable: %v", err)}
	}
	var out []string
	for _, d := range devs {
		out = append(out, fmt.Sprintf("vulkan %d: %s (%s, Vulkan %s), %.1f GiB, subgroup %d, fp16 %v, int8 %v, int dot %v%s",
			d.Index, d.Name, d.Kind, d.APIVersion, float64(d.MemoryBytes)/(1<<30), d.SubgroupSize, d.FP16, d.Int8, d.IntDot,
			map[bool]string{true: "", false: " (unusable)"}[d.Usable]))
	}
	return out
}

// timedVK prints the GPU time of each kernel after every step (--vk-timings).
type timedVK struct {
	*vk.Device
	log  func(string, ...any)
	step int
}

func (d *timedVK) Run(ctx context.Context, ops []backend.Op) error {
	if err := d.Device.Run(ctx, ops); err != nil {
		return err
	}
	d.step++
	type agg struct {
		n int
		t time.Duration
	}
	by := map[string]*agg{}
	var total time.Duration
	for _, k := range d.Timings() {
		a := by[k.Kernel]
		if a == nil {
			a = &agg{}
			by[k.Kernel] = a
		}
		a.n++
		a.t += k.Duration
		total += k.Duration
	}
	names := make([]string, 0, len(by))
	for n := range by {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return by[names[i]].t > by[names[j]].t })
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %.0fus x%d", n, float64(by[n].t.Microseconds()), by[n].n)
	}
	d.log("vk step %d: %d ops, GPU %.0fus: %s", d.step, len(ops), float64(total.Microseconds()), strings.Join(parts, ", "))
	return nil
}
