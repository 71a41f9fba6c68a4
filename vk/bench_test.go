//go:build cgo && !novulkan && linux

package vk

import (
	"context"
	"fmt"
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// BenchmarkMatVec measures one decode matrix-vector product per Run (submit included) and
// reports the weight bandwidth.
func BenchmarkMatVec(b *testing.B) {
	d, err := Open(Options{DeviceIndex: -1})
	if err != nil {
		b.Skip(err)
	}
	defer d.Close()
	const rows, cols = 2048, 2048
	for _, typ := range []quant.Type{quant.F16, quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K} {
		b.Run(typ.String(), func(b *testing.B) {
			rowBytes, _ := typ.RowBytes(cols)
			w, err := d.UploadWeight("w", typ, rows, cols, make([]byte, rows*rowBytes))
			if err != nil {
				b.Fatal(err)
			}
			x, _ := d.NewBuffer(cols)
			out, _ := d.NewBuffer(rows)
			ops := []backend.Op{backend.MatMul{W: w, X: x, Out: out, N: 1}}
			b.SetBytes(int64(rows * rowBytes))
			for b.Loop() {
				if err := d.Run(context.Background(), ops); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRunOverhead measures an almost empty Run: recording, one submit, fence wait.
func BenchmarkRunOverhead(b *testing.B) {
	d, err := Open(Options{DeviceIndex: -1})
	if err != nil {
		b.Skip(err)
	}
	defer d.Close()
	x, _ := d.NewBuffer(64)
	for _, n := range []int{1, 100} {
		ops := make([]backend.Op, n)
		for i := range ops {
			ops[i] = backend.Add{A: x, B: x, Out: x, N: 64}
		}
		b.Run(fmt.Sprint(n, "ops"), func(b *testing.B) {
			for b.Loop() {
				if err := d.Run(context.Background(), ops); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
