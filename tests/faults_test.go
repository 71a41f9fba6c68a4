package tests

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/scopekv/scope/internal/faults"
	scope "github.com/scopekv/scope/runtime"
)

// TestFaultInjection makes the Vulkan device fail where a real one can: allocations at
// every point of NewSession (ErrOutOfMemory, nothing leaked, the model still usable) and a
// submit in the middle of a generation (ErrDeviceLost, later calls refused, the model
// closes cleanly); and with backend auto, a Vulkan open that fails falls back to the CPU.
func TestFaultInjection(t *testing.T) {
	if !slices.Contains(backends(t), "vulkan") {
		t.Skip("skipped: Vulkan is not among the backends tested")
	}
	t.Cleanup(faults.Reset)
	m := openTiny(t, "vulkan", scope.Config{BatchSize: 16})
	opts := scope.SessionOptions{ContextLen: 32, KV: slidePolicy()}
	s := newSession(t, m, opts) // every kind of allocation a session makes exists once
	if _, err := s.Generate(context.Background(), "ab", scope.GenerateOptions{MaxTokens: 2}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	mem, failed := m.DeviceMemoryBytes(), 0
	for n := range 16 {
		faults.FailAfter(faults.Alloc, n)
		s, err := m.NewSession(opts)
		faults.Reset()
		if err == nil {
			s.Close()
			continue
		}
		wantErr(t, fmt.Sprintf("allocation %d failing", n), err, scope.ErrOutOfMemory)
		failed++
	}
	if failed < 10 {
		t.Errorf("only %d of 16 injected allocation failures reached NewSession", failed)
	}
	if got := m.DeviceMemoryBytes(); got != mem {
		t.Errorf("failed sessions left device memory at %d bytes, %d before", got, mem)
	}

	s = newSession(t, m, opts)
	faults.FailAfter(faults.Submit, 3)
	res, err := s.Generate(context.Background(), "ab", scope.GenerateOptions{MaxTokens: 8})
	faults.Reset()
	wantErr(t, "a submit failing in a generation", err, scope.ErrDeviceLost)
	if res != nil && res.StopReason != "error" {
		t.Errorf("stop reason %q, want error", res.StopReason)
	}
	_, err = s.Eval(context.Background(), []int32{1})
	wantErr(t, "Eval on a lost device", err, scope.ErrDeviceLost)
	_, err = m.NewSession(opts)
	wantErr(t, "NewSession on a lost device", err, scope.ErrDeviceLost)
	if err := s.Close(); err != nil {
		t.Errorf("Session.Close on a lost device: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("Model.Close on a lost device: %v", err)
	}

	var notes []string
	faults.FailAfter(faults.Open, 0)
	auto := openTiny(t, "auto", scope.Config{Log: func(f string, a ...any) { notes = append(notes, fmt.Sprintf(f, a...)) }})
	if k := auto.Device().Kind; k != "cpu" {
		t.Errorf("auto after a failed Vulkan open runs on a %s device", k)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "injected fault") {
		t.Errorf("auto's notices %q, want one naming the failed open", notes)
	}
}
