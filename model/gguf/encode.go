package gguf

import (
	"bufio"
	"encoding/binary"
	"math"
)

// encoder writes little-endian fields; the first error sticks and n counts bytes written.
type encoder struct {
	w       *bufio.Writer
	n       int64
	err     error
	scratch [8]byte
}

func (e *encoder) raw(b []byte) {
	if e.err != nil {
		return
	}
	k, err := e.w.Write(b)
	e.n += int64(k)
	e.err = err
}

func (e *encoder) u8(v uint8) { e.scratch[0] = v; e.raw(e.scratch[:1]) }

func (e *encoder) u16(v uint16) {
	binary.LittleEndian.PutUint16(e.scratch[:], v)
	e.raw(e.scratch[:2])
}

func (e *encoder) u32(v uint32) {
	binary.LittleEndian.PutUint32(e.scratch[:], v)
	e.raw(e.scratch[:4])
}

func (e *encoder) u64(v uint64) {
	binary.LittleEndian.PutUint64(e.scratch[:], v)
	e.raw(e.scratch[:8])
}

func (e *encoder) str(s string) {
	e.u64(uint64(len(s)))
	if e.err == nil {
		k, err := e.w.WriteString(s)
		e.n += int64(k)
		e.err = err
	}
}

// pad writes zero bytes up to the next multiple of align.
func (e *encoder) pad(align int64) {
	var zeros [512]byte
	for k := alignUp(e.n, align) - e.n; k > 0 && e.err == nil; {
		c := min(k, int64(len(zeros)))
		e.raw(zeros[:c])
		k -= c
	}
}

// width writes the low width bytes of num.
func (e *encoder) width(width int, num uint64) {
	switch width {
	case 1:
		e.u8(uint8(num))
	case 2:
		e.u16(uint16(num))
	case 4:
		e.u32(uint32(num))
	default:
		e.u64(num)
	}
}

func (e *encoder) value(v Value) {
	switch v.Type {
	case String:
		e.str(v.str)
	case Array:
		e.array(v)
	default:
		e.width(v.Type.size(), v.num)
	}
}

func (e *encoder) array(v Value) {
	e.u32(uint32(v.Elem))
	e.u64(uint64(v.Len()))
	switch a := v.arr.(type) {
	case []string:
		for _, s := range a {
			e.str(s)
		}
	case []bool:
		for _, b := range a {
			e.u8(uint8(boolBits(b)))
		}
	case []uint8:
		e.raw(a)
	case []int8:
		encodeEach(e, a, 1, func(x int8) uint64 { return uint64(x) })
	case []uint16:
		encodeEach(e, a, 2, func(x uint16) uint64 { return uint64(x) })
	case []int16:
		encodeEach(e, a, 2, func(x int16) uint64 { return uint64(x) })
	case []uint32:
		encodeEach(e, a, 4, func(x uint32) uint64 { return uint64(x) })
	case []int32:
		encodeEach(e, a, 4, func(x int32) uint64 { return uint64(x) })
	case []float32:
		encodeEach(e, a, 4, func(x float32) uint64 { return uint64(math.Float32bits(x)) })
	case []uint64:
		encodeEach(e, a, 8, func(x uint64) uint64 { return x })
	case []int64:
		encodeEach(e, a, 8, func(x int64) uint64 { return uint64(x) })
	case []float64:
		encodeEach(e, a, 8, math.Float64bits)
	}
}

func encodeEach[T any](e *encoder, a []T, width int, bits func(T) uint64) {
	for _, x := range a {
		e.width(width, bits(x))
	}
}

func (e *encoder) tensorInfo(t *TensorInfo) {
	e.str(t.Name)
	e.u32(uint32(len(t.Dims)))
	for _, n := range t.Dims {
		e.u64(uint64(n))
	}
	e.u32(uint32(t.Type))
	e.u64(uint64(t.Offset))
}
