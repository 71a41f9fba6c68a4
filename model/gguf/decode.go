package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
)

// decoder reads little-endian fields from the file bytes. The first failure sticks: later
// reads return zero values, so callers check err once per logical step.
type decoder struct {
	data []byte
	off  int64
	err  *Error
}

func (d *decoder) failAt(off int64, format string, args ...any) {
	if d.err == nil {
		d.err = &Error{Offset: off, Msg: fmt.Sprintf(format, args...)}
	}
}

func (d *decoder) remaining() int64 { return int64(len(d.data)) - d.off }

// take returns the next n bytes, or nil (with err set) when fewer remain.
func (d *decoder) take(n int64, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.remaining() {
		d.failAt(d.off, "%s: need %d bytes, %d left", what, n, d.remaining())
		return nil
	}
	b := d.data[d.off : d.off+n]
	d.off += n
	return b
}

func (d *decoder) u32(what string) uint32 {
	b := d.take(4, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func (d *decoder) u64(what string) uint64 {
	b := d.take(8, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

// length reads a uint64 count and checks that count elements of at least minSize bytes
// each fit in the rest of the file, so nothing is allocated for a count the file cannot hold.
func (d *decoder) length(what string, minSize int64) int64 {
	at := d.off
	n := d.u64(what)
	if d.err != nil {
		return 0
	}
	if n > uint64(d.remaining()/minSize) {
		d.failAt(at, "%s %d too large for the %d bytes left", what, n, d.remaining())
		return 0
	}
	return int64(n)
}

func (d *decoder) str(what string) string {
	n := d.length(what+" length", 1)
	return string(d.take(n, what))
}

// value reads a value of type t (already read); arrays recurse one level only.
func (d *decoder) value(t ValueType, at int64) Value {
	if t == Array {
		return d.array()
	}
	if t == String {
		return Value{Type: String, str: d.str("string")}
	}
	if !t.valid() {
		d.failAt(at, "unknown value type %d", uint32(t))
		return Value{}
	}
	b := d.take(int64(t.size()), t.String())
	if b == nil {
		return Value{}
	}
	return Value{Type: t, num: scalarBits(t, b)}
}

// scalarBits decodes one fixed-size scalar into Value.num (signed values sign-extended).
func scalarBits(t ValueType, b []byte) uint64 {
	switch t {
	case Uint8:
		return uint64(b[0])
	case Int8:
		return uint64(int8(b[0]))
	case Bool:
		return boolBits(b[0] != 0)
	case Uint16:
		return uint64(binary.LittleEndian.Uint16(b))
	case Int16:
		return uint64(int16(binary.LittleEndian.Uint16(b)))
	case Uint32, Float32:
		return uint64(binary.LittleEndian.Uint32(b))
	case Int32:
		return uint64(int32(binary.LittleEndian.Uint32(b)))
	}
	return binary.LittleEndian.Uint64(b)
}

func (d *decoder) array() Value {
	at := d.off
	elem := ValueType(d.u32("array element type"))
	if d.err != nil {
		return Value{}
	}
	if elem == Array {
		d.failAt(at, "arrays of arrays are not supported")
		return Value{}
	}
	if !elem.valid() {
		d.failAt(at, "unknown array element type %d", uint32(elem))
		return Value{}
	}
	n := d.length("array length", int64(elem.size()))
	if d.err != nil {
		return Value{}
	}
	if elem == String {
		return arrayValue(String, d.strings(n))
	}
	b := d.take(n*int64(elem.size()), "array")
	if b == nil {
		return Value{}
	}
	return decodeNumeric(elem, b, int(n))
}

// strings reads n length-prefixed strings with two allocations in all: one string holding
// the whole encoded region and the slice of substrings pointing into it.
func (d *decoder) strings(n int64) []string {
	start := d.off
	for i := int64(0); i < n; i++ {
		d.take(d.length("string length", 1), "string")
		if d.err != nil {
			return nil
		}
	}
	region := d.data[start:d.off]
	all := string(region)
	out := make([]string, n)
	pos := 0
	for i := range out {
		l := int(binary.LittleEndian.Uint64(region[pos:]))
		pos += 8
		out[i] = all[pos : pos+l]
		pos += l
	}
	return out
}

func decodeNumeric(elem ValueType, b []byte, n int) Value {
	le := binary.LittleEndian
	switch elem {
	case Uint8:
		return arrayValue(elem, decodeEach(b, n, 1, func(p []byte) uint8 { return p[0] }))
	case Int8:
		return arrayValue(elem, decodeEach(b, n, 1, func(p []byte) int8 { return int8(p[0]) }))
	case Bool:
		return arrayValue(elem, decodeEach(b, n, 1, func(p []byte) bool { return p[0] != 0 }))
	case Uint16:
		return arrayValue(elem, decodeEach(b, n, 2, le.Uint16))
	case Int16:
		return arrayValue(elem, decodeEach(b, n, 2, func(p []byte) int16 { return int16(le.Uint16(p)) }))
	case Uint32:
		return arrayValue(elem, decodeEach(b, n, 4, le.Uint32))
	case Int32:
		return arrayValue(elem, decodeEach(b, n, 4, func(p []byte) int32 { return int32(le.Uint32(p)) }))
	case Float32:
		return arrayValue(elem, decodeEach(b, n, 4, func(p []byte) float32 { return math.Float32frombits(le.Uint32(p)) }))
	case Uint64:
		return arrayValue(elem, decodeEach(b, n, 8, le.Uint64))
	case Int64:
		return arrayValue(elem, decodeEach(b, n, 8, func(p []byte) int64 { return int64(le.Uint64(p)) }))
	}
	return arrayValue(elem, decodeEach(b, n, 8, func(p []byte) float64 { return math.Float64frombits(le.Uint64(p)) }))
}

func decodeEach[T any](b []byte, n, size int, get func([]byte) T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = get(b[i*size : i*size+size])
	}
	return out
}
