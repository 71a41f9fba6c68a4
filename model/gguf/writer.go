package gguf

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/scopekv/scope/model/quant"
)

// Writer builds a GGUF version 3 file: metadata in insertion order, then tensors in the order
// they were added, each at an aligned offset.
type Writer struct {
	// Alignment of the data section and of every tensor; 0 means DefaultAlignment, or the
	// general.alignment value when one was Set. A value other than 32 is recorded in the
	// file as general.alignment.
	Alignment int64

	kvs     []KV
	keys    map[string]int
	tensors []writerTensor
	names   map[string]bool
}

type writerTensor struct {
	info TensorInfo
	data []byte
}

// NewWriter returns an empty Writer.
func NewWriter() *Writer {
	return &Writer{keys: map[string]int{}, names: map[string]bool{}}
}

// Set stores a metadata value (see ValueOf for the accepted Go types). Replacing a key keeps
// its original position.
func (w *Writer) Set(key string, v any) error {
	if key == "" {
		return errors.New("gguf: empty metadata key")
	}
	val, err := ValueOf(v)
	if err != nil {
		return fmt.Errorf("gguf: key %q: %w", key, err)
	}
	if i, ok := w.keys[key]; ok {
		w.kvs[i].Value = val
		return nil
	}
	w.keys[key] = len(w.kvs)
	w.kvs = append(w.kvs, KV{Key: key, Value: val})
	return nil
}

// AddTensor appends a tensor. data must hold exactly the bytes of a typ tensor of shape dims
// (ne order, innermost first); it is not copied and must not change before WriteTo.
func (w *Writer) AddTensor(name string, typ quant.Type, dims []int64, data []byte) error {
	if name == "" || len(name) > MaxNameLen {
		return fmt.Errorf("gguf: tensor name %q must have 1 to %d bytes", name, MaxNameLen)
	}
	if w.names[name] {
		return fmt.Errorf("gguf: duplicate tensor %q", name)
	}
	if !typ.Known() {
		return fmt.Errorf("gguf: tensor %q: unknown type %d", name, uint32(typ))
	}
	if len(dims) > MaxDims {
		return fmt.Errorf("gguf: tensor %q has %d dimensions, at most %d allowed", name, len(dims), MaxDims)
	}
	elems := int64(1)
	for _, n := range dims {
		if n <= 0 || n > math.MaxInt64/elems {
			return fmt.Errorf("gguf: tensor %q: bad shape %v", name, dims)
		}
		elems *= n
	}
	size, msg := tensorBytes(typ, dims, math.MaxInt64)
	if msg != "" {
		return fmt.Errorf("gguf: tensor %q: %s", name, msg)
	}
	if int64(len(data)) != size {
		return fmt.Errorf("gguf: tensor %q: %d bytes of data, want %d for %s %v", name, len(data), size, typ, dims)
	}
	info := TensorInfo{Name: name, Dims: append([]int64{}, dims...), Type: typ, Size: size}
	w.names[name] = true
	w.tensors = append(w.tensors, writerTensor{info: info, data: data})
	return nil
}

// alignment resolves the effective alignment and the metadata list to write.
func (w *Writer) alignment() (int64, []KV, error) {
	a := w.Alignment
	kvs := w.kvs
	i, has := w.keys[KeyAlignment]
	if has {
		v := kvs[i].Value
		if v.Type != Uint32 {
			return 0, nil, fmt.Errorf("gguf: %s must be uint32, not %s", KeyAlignment, v.Type)
		}
		if a != 0 && a != int64(v.num) {
			return 0, nil, fmt.Errorf("gguf: Alignment %d disagrees with %s %d", a, KeyAlignment, v.num)
		}
		a = int64(v.num)
	} else if a == 0 {
		a = DefaultAlignment
	}
	if a <= 0 || a > math.MaxUint32 || a&(a-1) != 0 {
		return 0, nil, fmt.Errorf("gguf: alignment %d is not a power of two below 2^32", a)
	}
	if !has && a != DefaultAlignment {
		v, _ := ValueOf(uint32(a))
		kvs = append(kvs[:len(kvs):len(kvs)], KV{Key: KeyAlignment, Value: v})
	}
	return a, kvs, nil
}

// WriteTo writes the file and returns the number of bytes written.
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	align, kvs, err := w.alignment()
	if err != nil {
		return 0, err
	}
	e := &encoder{w: bufio.NewWriterSize(out, 1<<16)}
	e.raw([]byte(Magic))
	e.u32(3)
	e.u64(uint64(len(w.tensors)))
	e.u64(uint64(len(kvs)))
	for _, kv := range kvs {
		e.str(kv.Key)
		e.u32(uint32(kv.Value.Type))
		e.value(kv.Value)
	}
	offset := int64(0)
	for i := range w.tensors {
		t := &w.tensors[i].info
		t.Offset = offset
		e.tensorInfo(t)
		offset = alignUp(offset+t.Size, align)
	}
	if len(w.tensors) > 0 { // like llama.cpp's tokenizer-only files: no padding without data
		e.pad(align)
	}
	for _, t := range w.tensors {
		e.raw(t.data)
		e.pad(align)
	}
	if e.err == nil {
		e.err = e.w.Flush()
	}
	return e.n, e.err
}

// WriteFile writes the file to path, removing it again if writing fails.
func (w *Writer) WriteFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = w.WriteTo(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

func alignUp(n, a int64) int64 { return (n + a - 1) &^ (a - 1) }
