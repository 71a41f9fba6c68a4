package quant

import (
	"math/rand"
	"testing"
)

const benchElems = 64 * QK_K

// BenchmarkDequantize reports, per type, MB/s of encoded input read (b.SetBytes) and
// millions of float32 written per second (Melem/s).
func BenchmarkDequantize(b *testing.B) {
	x := randNormal(rand.New(rand.NewSource(1)), benchElems, 1)
	y := make([]float32, benchElems)
	for _, typ := range quantTypes {
		n, _ := typ.RowBytes(benchElems)
		src := make([]byte, n)
		if err := Quantize(typ, x, src); err != nil {
			b.Fatal(err)
		}
		b.Run(typ.String(), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				DequantizeRow(typ, src, y)
			}
			b.ReportMetric(float64(b.N)*benchElems/b.Elapsed().Seconds()/1e6, "Melem/s")
		})
	}
}

// BenchmarkQuantize reports MB/s of float32 input.
func BenchmarkQuantize(b *testing.B) {
	x := randNormal(rand.New(rand.NewSource(1)), benchElems, 1)
	for _, typ := range quantTypes {
		n, _ := typ.RowBytes(benchElems)
		dst := make([]byte, n)
		b.Run(typ.String(), func(b *testing.B) {
			b.SetBytes(4 * benchElems)
			for b.Loop() {
				if err := Quantize(typ, x, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
