// Package gguf reads and writes GGUF files (versions 2 and 3, little-endian), the model
// format of the llama.cpp ecosystem.
//
// A GGUF file is a header (magic "GGUF", version, tensor count, metadata count), a list of
// typed key/value pairs, a list of tensor descriptors, padding up to the alignment, and the
// tensor data section. The reader treats the file as untrusted input: every count, length,
// dimension and offset is checked against the bytes that remain before anything is
// allocated, and every failure is an *Error carrying the byte offset where it was found.
package gguf

import (
	"errors"
	"fmt"

	"github.com/scopekv/scope/model/quant"
)

// Magic is the first four bytes of every GGUF file.
const Magic = "GGUF"

// DefaultAlignment is the data alignment used when the file has no general.alignment key.
const DefaultAlignment = 32

// KeyAlignment is the metadata key (uint32) that overrides DefaultAlignment.
const KeyAlignment = "general.alignment"

// MaxDims is the largest number of dimensions a tensor may have (ggml's GGML_MAX_DIMS).
const MaxDims = 4

// MaxNameLen is the longest tensor name ggml accepts (GGML_MAX_NAME-1 bytes).
const MaxNameLen = 63

// ErrFormat is the sentinel every parse error unwraps to.
var ErrFormat = errors.New("gguf: invalid file")

// Error is a parse error at a byte offset of the file.
type Error struct {
	Offset int64
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("gguf: offset %d: %s", e.Offset, e.Msg) }

// Unwrap makes errors.Is(err, ErrFormat) true.
func (e *Error) Unwrap() error { return ErrFormat }

// KV is one metadata entry.
type KV struct {
	Key   string
	Value Value
}

// TensorInfo describes one tensor of the file.
type TensorInfo struct {
	Name   string
	Dims   []int64 // ne: Dims[0] is the innermost (row length / input dim)
	Type   quant.Type
	Offset int64 // relative to the start of the data section
	Size   int64 // bytes
}

// NumElements is the product of the dimensions (1 for a tensor with no dimensions).
func (t *TensorInfo) NumElements() int64 {
	n := int64(1)
	for _, d := range t.Dims {
		n *= d
	}
	return n
}

// File is a parsed GGUF file. Its metadata and names are copies; TensorData returns slices
// of the underlying bytes (the memory map for Open), valid until Close.
type File struct {
	Version    uint32
	KVs        []KV         // in file order
	Tensors    []TensorInfo // in file order
	Alignment  int64
	DataOffset int64 // absolute offset of the data section

	data    []byte
	unmap   func() error
	keys    map[string]int
	tensors map[string]int
}

// Close releases the file's memory map; tensor data slices become invalid. A second Close is
// harmless.
func (f *File) Close() error {
	f.data = nil
	if f.unmap == nil {
		return nil
	}
	unmap := f.unmap
	f.unmap = nil
	return unmap()
}

// Tensor returns the tensor with the given name.
func (f *File) Tensor(name string) (*TensorInfo, bool) {
	i, ok := f.tensors[name]
	if !ok {
		return nil, false
	}
	return &f.Tensors[i], true
}

// TensorData returns the bytes of t as a slice of the file (no copy). It returns nil after
// Close or when t does not lie inside the data section.
func (f *File) TensorData(t *TensorInfo) []byte {
	n := int64(len(f.data))
	if t == nil || t.Offset < 0 || t.Size < 0 || f.DataOffset > n ||
		t.Offset > n-f.DataOffset || t.Size > n-f.DataOffset-t.Offset {
		return nil
	}
	start := f.DataOffset + t.Offset
	return f.data[start : start+t.Size : start+t.Size]
}
