package gguf

import (
	"math"
)

// Get returns the metadata value stored under key.
func (f *File) Get(key string) (Value, bool) {
	i, ok := f.keys[key]
	if !ok {
		return Value{}, false
	}
	return f.KVs[i].Value, true
}

// String returns a string value.
func (f *File) String(key string) (string, bool) {
	v, ok := f.Get(key)
	if !ok || v.Type != String {
		return "", false
	}
	return v.str, true
}

// Uint returns an unsigned integer value, or a signed one that is not negative.
func (f *File) Uint(key string) (uint64, bool) {
	v, ok := f.Get(key)
	if !ok {
		return 0, false
	}
	return v.uint()
}

// Int returns an integer value of any width and signedness that fits an int64.
func (f *File) Int(key string) (int64, bool) {
	v, ok := f.Get(key)
	if !ok {
		return 0, false
	}
	return v.int()
}

// Float returns a float32 or float64 value, or an integer converted to float64.
func (f *File) Float(key string) (float64, bool) {
	v, ok := f.Get(key)
	if !ok {
		return 0, false
	}
	switch {
	case v.Type == Float32:
		return float64(math.Float32frombits(uint32(v.num))), true
	case v.Type == Float64:
		return math.Float64frombits(v.num), true
	case v.Type.unsigned():
		return float64(v.num), true
	case v.Type.signed():
		return float64(int64(v.num)), true
	}
	return 0, false
}

// Bool returns a bool value.
func (f *File) Bool(key string) (bool, bool) {
	v, ok := f.Get(key)
	if !ok || v.Type != Bool {
		return false, false
	}
	return v.num != 0, true
}

// Strings returns a string array. The slice is shared with the File; do not modify it.
func (f *File) Strings(key string) ([]string, bool) {
	v, ok := f.Get(key)
	if !ok {
		return nil, false
	}
	a, ok := v.arr.([]string)
	return a, ok
}

// Float32s returns a float32 array (shared with the File; do not modify it), or a float64
// array converted to a new float32 slice.
func (f *File) Float32s(key string) ([]float32, bool) {
	v, ok := f.Get(key)
	if !ok {
		return nil, false
	}
	switch a := v.arr.(type) {
	case []float32:
		return a, true
	case []float64:
		out := make([]float32, len(a))
		for i, x := range a {
			out[i] = float32(x)
		}
		return out, true
	}
	return nil, false
}

// Int32s returns an int32 array (shared with the File; do not modify it), or an integer array
// of another type converted to a new int32 slice when every element fits.
func (f *File) Int32s(key string) ([]int32, bool) {
	v, ok := f.Get(key)
	if !ok {
		return nil, false
	}
	switch a := v.arr.(type) {
	case []int32:
		return a, true
	case []uint8:
		return convertInts(a)
	case []int8:
		return convertInts(a)
	case []uint16:
		return convertInts(a)
	case []int16:
		return convertInts(a)
	case []uint32:
		return convertInts(a)
	case []uint64:
		return convertInts(a)
	case []int64:
		return convertInts(a)
	}
	return nil, false
}

type integer interface {
	~uint8 | ~int8 | ~uint16 | ~int16 | ~uint32 | ~int32 | ~uint64 | ~int64
}

func convertInts[T integer](a []T) ([]int32, bool) {
	out := make([]int32, len(a))
	for i, x := range a {
		y := int32(x)
		if T(y) != x || (y < 0) != (x < 0) {
			return nil, false
		}
		out[i] = y
	}
	return out, true
}

func (v Value) uint() (uint64, bool) {
	switch {
	case v.Type.unsigned():
		return v.num, true
	case v.Type.signed() && int64(v.num) >= 0:
		return v.num, true
	}
	return 0, false
}

func (v Value) int() (int64, bool) {
	switch {
	case v.Type.signed():
		return int64(v.num), true
	case v.Type.unsigned() && v.num <= math.MaxInt64:
		return int64(v.num), true
	}
	return 0, false
}
