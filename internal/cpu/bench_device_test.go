package cpu

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/scopekv/scope/internal/backend"
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
