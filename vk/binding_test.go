//go:build cgo && !novulkan && linux

package vk

import (
	"runtime"
	"sync"
	"testing"
	"time"

	vkc "github.com/vulkan-go/vulkan"

	"github.com/scopekv/scope/shaders"
)

func TestHandleRoundTrip(t *testing.T) {
	for _, h := range []uint64{0, 1, 0x7fe8247ce960, 1<<63 | 5} {
		if got := u64(handle[vkc.Buffer](h)); got != h {
			t.Errorf("Buffer handle %#x came back as %#x", h, got)
		}
		if got := u64(handle[vkc.Device](h)); got != h {
			t.Errorf("Device handle %#x came back as %#x", h, got)
		}
	}
}

// gcLoop forces collections from two goroutines until the returned stop is called.
func gcLoop() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
					runtime.GC()
				}
			}
		}()
	}
	return func() { close(done); wg.Wait() }
}

// TestBindingGCStress makes every kind of call that goes through the binding (physical
// device queries, memory blocks, layouts, shader modules, pipelines, descriptor pools and
// sets, query pools, instances) in a loop while the collector runs: create-infos freed
// with Free, pinned slices and local outputs must hold under it (and under
// GOEXPERIMENT=cgocheck2).
func TestBindingGCStress(t *testing.T) {
	d := openOrSkip(t, Options{DeviceIndex: -1, Validation: true})
	k, err := shaders.Lookup("add_f32")
	if err != nil {
		t.Fatal(err)
	}
	stop := gcLoop()
	defer stop()
	deadline := time.Now().Add(2 * time.Second)
	for it := 0; it < 30 && time.Now().Before(deadline); it++ {
		if p := queryPhys(d.in, d.phys.handle); p.name != d.phys.name || len(p.memTypes) != len(d.phys.memTypes) {
			t.Fatalf("a repeated query read %q with %d memory types, first %q with %d", p.name, len(p.memTypes), d.phys.name, len(d.phys.memTypes))
		}
		stressObjects(t, d, k)
		if it%10 == 0 {
			if _, err := ListDevices(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func stressObjects(t *testing.T, d *Device, k shaders.Kernel) {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	mem, buf, ptr, err := d.createBlock(1<<16, d.hostHeap.memType, true)
	if err != nil || ptr == nil {
		t.Fatalf("createBlock: %v (mapped %v)", err, ptr)
	}
	d.destroyBlock(&block{mem: mem, buf: buf, mapped: ptr})
	code, _ := k.SPIRV()
	words := make([]uint32, len(code)/4)
	for i := range words {
		words[i] = uint32(code[4*i]) | uint32(code[4*i+1])<<8 | uint32(code[4*i+2])<<16 | uint32(code[4*i+3])<<24
	}
	p := &pipeline{kernel: k}
	if p.dsl, p.layout, err = d.createLayouts(k.Bindings, k.PushSize); err != nil {
		t.Fatal(err)
	}
	if p.pipe, err = d.createComputePipeline(p.layout, words, nil); err != nil {
		t.Fatal(err)
	}
	pool, err := d.createDescriptorPool(4, 16)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if _, r := d.allocSetFrom(pool, p.dsl); r != vkSuccess {
			t.Fatalf("allocSetFrom: %d", r)
		}
	}
	d.destroyDescriptorPool(pool)
	d.destroyPipeline(p)
	qp, err := d.createQueryPool(8)
	if err != nil {
		t.Fatal(err)
	}
	d.destroyQueryPool(qp)
}
