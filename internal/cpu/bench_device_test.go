package cpu

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// BenchmarkDeviceMatMul runs MatMul through Device.Run on the best path with the default
// threads: N=1 is decode (MB/s of weights), N=64 is prefill. ns/token compares the two:
// blocking makes a prefill token much cheaper than a decode step.
func BenchmarkDeviceMatMul(b *testing.B) {
	d, err := Open(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	const rows, cols = 4096, 4096
	r := rand.New(rand.NewPCG(1, 1))
	for _, typ := range kernelTypes {
		data := randWeight(r, typ, rows, cols)
		w, err := d.UploadWeight("w", typ, rows, cols, data)
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/%s/N=%d", d.Path(), typ, n), func(b *testing.B) {
				x, _ := d.NewBuffer(n * cols)
				out, _ := d.NewBuffer(n * rows)
				_ = d.Write(x, randFloats(r, n*cols, 1))
				ops := []backend.Op{backend.MatMul{W: w, X: x, Out: out, N: n}}
				b.SetBytes(int64(len(data)))
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := d.Run(context.Background(), ops); err != nil {
						b.Fatal(err)
					}
				}
				s := b.Elapsed().Seconds()
				b.ReportMetric(s*1e9/float64(b.N*n), "ns/token")
				b.ReportMetric(2*rows*cols*float64(n)*float64(b.N)/s/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkPrefillShapes is one 64-token MatMul through Device.Run on one thread for each
// TinyLlama 1.1B weight shape (q/o, k/v, gate/up, down), F16 and F32: the kernels as
// prefill runs them, with the weights streaming from memory and the row chunks in L2.
func BenchmarkPrefillShapes(b *testing.B) {
	d, err := Open(Options{Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	const n = 64
	r := rand.New(rand.NewPCG(1, 1))
	for _, typ := range []quant.Type{quant.F16, quant.F32} {
		for _, s := range [][2]int{{2048, 2048}, {256, 2048}, {5632, 2048}, {2048, 5632}} {
			prefillShape(b, d, r, typ, s[0], s[1], n)
		}
	}
}

// prefillShape times one n-token MatMul of a rows x cols weight of type typ on d.
func prefillShape(b *testing.B, d *Device, r *rand.Rand, typ quant.Type, rows, cols, n int) {
	w, err := d.UploadWeight("w", typ, rows, cols, randWeight(r, typ, rows, cols))
	if err != nil {
		b.Fatal(err)
	}
	x, _ := d.NewBuffer(n * cols)
	out, _ := d.NewBuffer(n * rows)
	_ = d.Write(x, randFloats(r, n*cols, 1))
	ops := []backend.Op{backend.MatMul{W: w, X: x, Out: out, N: n}}
	if err := d.Run(context.Background(), ops); err != nil { // repacks the weight
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("%s/%s/%dx%d", d.Path(), typ, rows, cols), func(b *testing.B) {
		timeFlops(b, 2*float64(rows*cols*n), func() {
			if err := d.Run(context.Background(), ops); err != nil {
				b.Fatal(err)
			}
		})
	})
}
