//go:build cgo && !novulkan && linux

package vk

import (
	"context"
	"errors"
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/internal/ref"
	"github.com/scopekv/scope/model/quant"
)

// TestBadInputs checks that malformed ops and uploads return errors (and leave the device
// usable) instead of reaching the GPU.
func TestBadInputs(t *testing.T) {
	d := sharedDevice(t)
	if _, err := d.NewBuffer(0); err == nil {
		t.Error("NewBuffer(0) succeeded")
	}
	if _, err := d.UploadWeight("short", quant.Q4_0, 2, 32, make([]byte, 20)); err == nil {
		t.Error("short weight data accepted")
	}
	if _, err := d.UploadWeight("ragged", quant.Q4_K, 2, 100, make([]byte, 1000)); err == nil {
		t.Error("Q4_K row of 100 columns accepted")
	}
	if _, err := d.UploadWeight("unknown", quant.Type(99), 1, 4, make([]byte, 64)); err == nil {
		t.Error("unknown type accepted")
	}
	if _, err := d.UploadWeight("ints", quant.I32, 1, 4, make([]byte, 16)); !errors.Is(err, backend.ErrUnsupported) {
		t.Errorf("I32 weight: %v, want ErrUnsupported", err)
	}
	table, err := d.UploadWeight("table", quant.F32, 3, 4, make([]byte, 48))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := d.NewBuffer(8)
	foreign, _ := ref.NewDevice().NewBuffer(8)
	bad := []backend.Op{
		backend.Embed{Table: table, Tokens: []int32{3}, Out: out},
		backend.Embed{Table: table, Tokens: []int32{-1}, Out: out},
		backend.Embed{Table: table, Tokens: []int32{0, 1, 2}, Out: out}, // Out too small
		backend.Add{A: out, B: foreign, Out: out, N: 8},
		backend.Add{A: out, B: out, Out: out, N: 9},
		backend.MatMul{W: table, X: out, Out: out, N: 1},
		backend.RoPE{X: out, N: 1, NHeads: 1, HeadDim: 8, RopeDim: 3, Pos: []int32{0}, Base: 10000},
		backend.RMSNorm{X: out, Out: out, W: table, N: 1, Dim: 4},
	}
	for i, op := range bad {
		if err := d.Run(context.Background(), []backend.Op{op}); err == nil {
			t.Errorf("bad op %d (%T) accepted", i, op)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Run(ctx, []backend.Op{backend.Add{A: out, B: out, Out: out, N: 8}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Run: %v", err)
	}
	if err := d.Run(context.Background(), []backend.Op{backend.Add{A: out, B: out, Out: out, N: 8}}); err != nil {
		t.Errorf("device unusable after bad ops: %v", err)
	}
}
