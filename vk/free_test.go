//go:build cgo && !novulkan && linux

package vk

import (
	"context"
	"errors"
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/internal/faults"
)

// TestFreeReusesMemory allocates and frees a session's worth of buffers and a KV store
// many times: the device's memory stays where the first round left it, reused ranges read
// as zero, and freed objects are refused.
func TestFreeReusesMemory(t *testing.T) {
	for _, staging := range []bool{false, true} {
		d := openOrSkip(t, Options{DeviceIndex: -1, Validation: true, forceStaging: staging})
		var first int64
		for round := range 40 {
			bufs := make([]backend.Buffer, 0, 8)
			for _, n := range []int{1000, 64, 4096, 3, 1000} {
				b, err := d.NewBuffer(n + round%3)
				if err != nil {
					t.Fatal(err)
				}
				bufs = append(bufs, b)
			}
			got := make([]float32, 1000)
			if err := d.Read(bufs[0], got); err != nil {
				t.Fatal(err)
			}
			for i, v := range got {
				if v != 0 {
					t.Fatalf("staging=%v round %d: reused buffer[%d] = %v, want 0", staging, round, i, v)
				}
			}
			ones := make([]float32, 1000)
			for i := range ones {
				ones[i] = 1
			}
			if err := d.Write(bufs[0], ones); err != nil {
				t.Fatal(err)
			}
			kv, err := d.NewKV(backend.KVLayout{NumPages: 8, PageSize: 16, HeadDim: 32})
			if err != nil {
				t.Fatal(err)
			}
			for i := len(bufs) - 1; i >= 0; i -= 2 { // free out of order
				if err := d.FreeBuffer(bufs[i]); err != nil {
					t.Fatal(err)
				}
			}
			for i := len(bufs) - 2; i >= 0; i -= 2 {
				if err := d.FreeBuffer(bufs[i]); err != nil {
					t.Fatal(err)
				}
			}
			if err := d.FreeKV(kv); err != nil {
				t.Fatal(err)
			}
			if round == 0 {
				first = d.MemoryBytes()
				if d.Read(bufs[0], got) == nil || d.FreeBuffer(bufs[0]) == nil || d.FreeKV(kv) == nil {
					t.Fatal("a freed buffer or KV store was accepted")
				}
			}
		}
		if got := d.MemoryBytes(); got != first {
			t.Errorf("staging=%v: device memory %d bytes after 40 rounds, %d after the first", staging, got, first)
		}
	}
}

// TestInjectedFaults makes one allocation fail with ErrOutOfMemory (the device stays
// usable) and one submit fail with ErrDeviceLost (the device refuses work, then closes).
func TestInjectedFaults(t *testing.T) {
	d := openOrSkip(t, Options{DeviceIndex: -1, Validation: true, forceStaging: true})
	t.Cleanup(faults.Reset)
	faults.FailAfter(faults.Alloc, 1)
	if _, err := d.NewBuffer(16); err != nil {
		t.Fatalf("the allocation before the armed one: %v", err)
	}
	if _, err := d.NewBuffer(16); !errors.Is(err, backend.ErrOutOfMemory) {
		t.Fatalf("armed allocation: %v, want ErrOutOfMemory", err)
	}
	b, err := d.NewBuffer(16)
	if err != nil {
		t.Fatalf("the allocation after the fault: %v", err)
	}
	faults.FailAfter(faults.Submit, 0)
	if err := d.Read(b, make([]float32, 16)); !errors.Is(err, backend.ErrDeviceLost) {
		t.Fatalf("armed submit: %v, want ErrDeviceLost", err)
	}
	err = d.Run(context.Background(), []backend.Op{backend.Add{A: b, B: b, Out: b, N: 16}})
	if !errors.Is(err, backend.ErrDeviceLost) {
		t.Fatalf("Run on a lost device: %v, want ErrDeviceLost", err)
	}
}
