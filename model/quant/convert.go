package quant

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

var (
	// ErrUnknownType is returned for a type id this package has no layout for.
	ErrUnknownType = errors.New("quant: unknown tensor type")
	// ErrUnsupported is returned for a known type that cannot be converted in that direction.
	ErrUnsupported = errors.New("quant: unsupported tensor type")
	// ErrLength is returned when an element count is not a whole number of blocks or a
	// buffer is too short for it.
	ErrLength = errors.New("quant: bad length")
)

type rowFuncs struct {
	dequant func(src []byte, dst []float32)
	quant   func(src []float32, dst []byte)
}

// converters lists, indexed by type, the row conversions this package implements; the
// functions take whole blocks and are not bounds-checked beyond Go's own. An array rather
// than a map keeps DequantizeRow's dispatch to an index.
var converters = [...]rowFuncs{
	F32:  {dequantF32, quantF32},
	F16:  {dequantF16, quantF16},
	BF16: {dequantBF16, quantBF16},
	Q4_0: {dequantQ4_0, quantQ4_0},
	Q4_1: {dequantQ4_1, quantQ4_1},
	Q5_0: {dequantQ5_0, quantQ5_0},
	Q5_1: {dequantQ5_1, quantQ5_1},
	Q8_0: {dequantQ8_0, QuantizeQ8_0},
	Q2_K: {dequantQ2_K, quantQ2_K},
	Q3_K: {dequantQ3_K, quantQ3_K},
	Q4_K: {dequantQ4_K, quantQ4_K},
	Q5_K: {dequantQ5_K, quantQ5_K},
	Q6_K: {dequantQ6_K, quantQ6_K},
	Q8_K: {dequantQ8_K, QuantizeQ8K},
}

func convertersOf(t Type) rowFuncs {
	if uint64(t) < uint64(len(converters)) {
		return converters[t]
	}
	return rowFuncs{}
}

// CanDequantize reports whether Dequantize supports t.
func CanDequantize(t Type) bool { return convertersOf(t).dequant != nil }

// CanQuantize reports whether Quantize supports t.
func CanQuantize(t Type) bool { return convertersOf(t).quant != nil }

// Dequantize converts len(dst) elements of type t from src into dst, bit-exact to ggml's
// dequantize_row_* functions. len(dst) must be a multiple of t's block size and src must
// hold at least RowBytes(len(dst)) bytes (extra bytes are ignored).
func Dequantize(t Type, src []byte, dst []float32) error {
	f := convertersOf(t).dequant
	if err := checkSizes(t, f != nil, "dequantize", len(dst), len(src)); err != nil {
		return err
	}
	f(src, dst)
	return nil
}

// DequantizeRow is Dequantize without checks, for hot paths whose callers validated the
// sizes and the type: src must hold RowBytes(len(dst)) bytes. An unsupported type leaves
// dst untouched.
func DequantizeRow(t Type, src []byte, dst []float32) {
	if f := convertersOf(t).dequant; f != nil {
		f(src, dst)
	}
}

// Quantize converts src into dst as type t, as ggml's quantize_row_*_ref reference
// quantisers (no importance matrix). len(src) must be a multiple of t's block size and dst
// must hold at least RowBytes(len(src)) bytes; only that prefix of dst is written.
func Quantize(t Type, src []float32, dst []byte) error {
	f := convertersOf(t).quant
	if err := checkSizes(t, f != nil, "quantize", len(src), len(dst)); err != nil {
		return err
	}
	f(src, dst)
	return nil
}

// checkSizes validates a conversion of n elements against a byte buffer of nbytes.
func checkSizes(t Type, supported bool, op string, n, nbytes int) error {
	if !t.Known() {
		return fmt.Errorf("%w: %s %s", ErrUnknownType, op, t)
	}
	if !supported {
		return fmt.Errorf("%w: cannot %s %s", ErrUnsupported, op, t)
	}
	bs := t.BlockSize()
	if n%bs != 0 {
		return fmt.Errorf("%w: %s %s: %d elements is not a multiple of the block size %d", ErrLength, op, t, n, bs)
	}
	need := n / bs * t.BlockBytes()
	if nbytes < need {
		return fmt.Errorf("%w: %s %s: %d elements need %d bytes, have %d", ErrLength, op, t, n, need, nbytes)
	}
	return nil
}

func dequantF32(src []byte, dst []float32) {
	src = src[:4*len(dst)]
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

func quantF32(src []float32, dst []byte) {
	dst = dst[:4*len(src)]
	for i, v := range src {
		binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
	}
}

func dequantF16(src []byte, dst []float32) {
	src = src[:2*len(dst)]
	for i := range dst {
		h := uint32(binary.LittleEndian.Uint16(src[2*i:]))
		if e := h & 0x7c00; e != 0 && e != 0x7c00 {
			// Normal half (the common case): rebias the exponent, widen the mantissa.
			dst[i] = math.Float32frombits((h&0x8000)<<16 | ((h&0x7fff)<<13 + 112<<23))
			continue
		}
		dst[i] = F16ToF32(uint16(h))
	}
}

func quantF16(src []float32, dst []byte) {
	dst = dst[:2*len(src)]
	for i, v := range src {
		binary.LittleEndian.PutUint16(dst[2*i:], F32ToF16(v))
	}
}

func dequantBF16(src []byte, dst []float32) {
	src = src[:2*len(dst)]
	for i := range dst {
		dst[i] = BF16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

func quantBF16(src []float32, dst []byte) {
	dst = dst[:2*len(src)]
	for i, v := range src {
		binary.LittleEndian.PutUint16(dst[2*i:], F32ToBF16(v))
	}
}

// halfAt reads the little-endian binary16 at b[0:2] as float32.
func halfAt(b []byte) float32 { return F16ToF32(binary.LittleEndian.Uint16(b)) }

// putHalf stores f as little-endian binary16 at b[0:2].
func putHalf(b []byte, f float32) { binary.LittleEndian.PutUint16(b, F32ToF16(f)) }
