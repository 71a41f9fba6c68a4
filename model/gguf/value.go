package gguf

import (
	"fmt"
	"math"
	"slices"
)

// ValueType is the type tag of a metadata value.
type ValueType uint32

const (
	Uint8   ValueType = 0
	Int8    ValueType = 1
	Uint16  ValueType = 2
	Int16   ValueType = 3
	Uint32  ValueType = 4
	Int32   ValueType = 5
	Float32 ValueType = 6
	Bool    ValueType = 7
	String  ValueType = 8
	Array   ValueType = 9
	Uint64  ValueType = 10
	Int64   ValueType = 11
	Float64 ValueType = 12
)

var valueTypeNames = [...]string{"uint8", "int8", "uint16", "int16", "uint32", "int32",
	"float32", "bool", "string", "array", "uint64", "int64", "float64"}

func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// valid reports whether t is one of the thirteen GGUF value types.
func (t ValueType) valid() bool { return t <= Float64 }

// size is the encoded size of a scalar of type t; for strings it is the size of the length
// prefix (the minimum encoded size) and for arrays 0.
func (t ValueType) size() int {
	switch t {
	case Uint8, Int8, Bool:
		return 1
	case Uint16, Int16:
		return 2
	case Uint32, Int32, Float32:
		return 4
	case Uint64, Int64, Float64, String:
		return 8
	}
	return 0
}

func (t ValueType) signed() bool { return t == Int8 || t == Int16 || t == Int32 || t == Int64 }

func (t ValueType) unsigned() bool {
	return t == Uint8 || t == Uint16 || t == Uint32 || t == Uint64
}

// Value is a typed metadata value: a scalar, a string, or an array of scalars or strings.
// Arrays of arrays are not supported (ggml does not accept them either).
type Value struct {
	Type ValueType
	Elem ValueType // element type, for arrays

	num uint64 // scalar: integer (sign-extended), float bits or bool 0/1
	str string // String
	arr any    // Array: []uint8, []int8, ... []float64, []bool or []string
}

// Any returns the value as a Go value: uint8 ... float64, bool, string, or a slice of one of
// those for arrays. Slices are shared with the Value; do not modify them.
func (v Value) Any() any {
	switch v.Type {
	case Uint8:
		return uint8(v.num)
	case Int8:
		return int8(v.num)
	case Uint16:
		return uint16(v.num)
	case Int16:
		return int16(v.num)
	case Uint32:
		return uint32(v.num)
	case Int32:
		return int32(v.num)
	case Float32:
		return math.Float32frombits(uint32(v.num))
	case Bool:
		return v.num != 0
	case String:
		return v.str
	case Uint64:
		return v.num
	case Int64:
		return int64(v.num)
	case Float64:
		return math.Float64frombits(v.num)
	case Array:
		return v.arr
	}
	return nil
}

// Len is the number of elements of an array value (0 for scalars).
func (v Value) Len() int {
	if v.Type != Array {
		return 0
	}
	switch a := v.arr.(type) {
	case []string:
		return len(a)
	case []bool:
		return len(a)
	}
	n, _ := numericLen(v.arr)
	return n
}

func numericLen(arr any) (int, bool) {
	switch a := arr.(type) {
	case []uint8:
		return len(a), true
	case []int8:
		return len(a), true
	case []uint16:
		return len(a), true
	case []int16:
		return len(a), true
	case []uint32:
		return len(a), true
	case []int32:
		return len(a), true
	case []float32:
		return len(a), true
	case []uint64:
		return len(a), true
	case []int64:
		return len(a), true
	case []float64:
		return len(a), true
	}
	return 0, false
}

// ValueOf converts a Go value (uint8 ... uint64, int8 ... int64, float32, float64, bool,
// string, a slice of one of those, or a Value) to a Value. Slices are copied. Plain int and
// uint are refused: GGUF readers check exact widths, so the caller must pick one.
func ValueOf(x any) (Value, error) {
	switch x := x.(type) {
	case Value:
		return checkValue(x)
	case uint8:
		return Value{Type: Uint8, num: uint64(x)}, nil
	case int8:
		return Value{Type: Int8, num: uint64(x)}, nil
	case uint16:
		return Value{Type: Uint16, num: uint64(x)}, nil
	case int16:
		return Value{Type: Int16, num: uint64(x)}, nil
	case uint32:
		return Value{Type: Uint32, num: uint64(x)}, nil
	case int32:
		return Value{Type: Int32, num: uint64(x)}, nil
	case float32:
		return Value{Type: Float32, num: uint64(math.Float32bits(x))}, nil
	case bool:
		return Value{Type: Bool, num: boolBits(x)}, nil
	case string:
		return Value{Type: String, str: x}, nil
	case uint64:
		return Value{Type: Uint64, num: x}, nil
	case int64:
		return Value{Type: Int64, num: uint64(x)}, nil
	case float64:
		return Value{Type: Float64, num: math.Float64bits(x)}, nil
	}
	return arrayOf(x)
}

func arrayOf(x any) (Value, error) {
	switch a := x.(type) {
	case []uint8:
		return arrayValue(Uint8, slices.Clone(a)), nil
	case []int8:
		return arrayValue(Int8, slices.Clone(a)), nil
	case []uint16:
		return arrayValue(Uint16, slices.Clone(a)), nil
	case []int16:
		return arrayValue(Int16, slices.Clone(a)), nil
	case []uint32:
		return arrayValue(Uint32, slices.Clone(a)), nil
	case []int32:
		return arrayValue(Int32, slices.Clone(a)), nil
	case []float32:
		return arrayValue(Float32, slices.Clone(a)), nil
	case []bool:
		return arrayValue(Bool, slices.Clone(a)), nil
	case []string:
		return arrayValue(String, slices.Clone(a)), nil
	case []uint64:
		return arrayValue(Uint64, slices.Clone(a)), nil
	case []int64:
		return arrayValue(Int64, slices.Clone(a)), nil
	case []float64:
		return arrayValue(Float64, slices.Clone(a)), nil
	}
	return Value{}, fmt.Errorf("gguf: unsupported metadata value type %T", x)
}

// arrayValue wraps a typed slice; a nil slice becomes an empty one so Any never returns a
// nil slice for a present array.
func arrayValue[T any](elem ValueType, a []T) Value {
	if a == nil {
		a = []T{}
	}
	return Value{Type: Array, Elem: elem, arr: a}
}

func boolBits(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// checkValue accepts a Value only if its tags agree with its contents, so a hand-made Value
// cannot make the Writer emit an unreadable file.
func checkValue(v Value) (Value, error) {
	if !v.Type.valid() {
		return Value{}, fmt.Errorf("gguf: unknown value type %d", uint32(v.Type))
	}
	if v.Type != Array {
		return v, nil
	}
	if v.arr == nil {
		return Value{}, fmt.Errorf("gguf: array value without elements")
	}
	if elem, ok := elemType(v.arr); !ok || elem != v.Elem {
		return Value{}, fmt.Errorf("gguf: array of %s holds %T", v.Elem, v.arr)
	}
	return v, nil
}

func elemType(arr any) (ValueType, bool) {
	switch arr.(type) {
	case []uint8:
		return Uint8, true
	case []int8:
		return Int8, true
	case []uint16:
		return Uint16, true
	case []int16:
		return Int16, true
	case []uint32:
		return Uint32, true
	case []int32:
		return Int32, true
	case []float32:
		return Float32, true
	case []bool:
		return Bool, true
	case []string:
		return String, true
	case []uint64:
		return Uint64, true
	case []int64:
		return Int64, true
	case []float64:
		return Float64, true
	}
	return 0, false
}
