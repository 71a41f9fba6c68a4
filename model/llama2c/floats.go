package llama2c

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// hostLittleEndian reports whether float32 values in memory use the file's byte order.
var hostLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// floats returns b (4*n bytes of little-endian float32) as a []float32: a view of b when
// the host is little-endian and b is 4-byte aligned, a decoded copy otherwise.
func floats(b []byte, n int64) []float32 {
	if n == 0 {
		return []float32{}
	}
	if hostLittleEndian && uintptr(unsafe.Pointer(&b[0]))%4 == 0 {
		return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n)
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}
