package gguf

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/scopekv/scope/model/quant"
)

// Smallest encodings, used to bound counts before allocating: a key/value pair is a key
// length, a type and at least one byte of value; a tensor descriptor is a name length, a
// dimension count, a type and an offset.
const (
	minKVBytes     = 8 + 4 + 1
	minTensorBytes = 8 + 4 + 4 + 8
)

// Parse parses a GGUF file held in memory. Tensor data slices of the result alias data.
func Parse(data []byte) (*File, error) {
	d := &decoder{data: data}
	f := &File{data: data, Alignment: DefaultAlignment}
	nTensors, nKVs := d.header(f)
	if d.err == nil {
		d.readKVs(f, nKVs)
	}
	if d.err == nil {
		d.readAlignment(f)
	}
	if d.err == nil {
		d.readTensors(f, nTensors)
	}
	if d.err == nil {
		d.checkLayout(f)
	}
	if d.err != nil {
		return nil, d.err
	}
	return f, nil
}

// header reads magic, version and the two counts, bounding the counts by the file size.
func (d *decoder) header(f *File) (nTensors, nKVs int64) {
	magic := d.take(4, "magic")
	if magic == nil {
		return 0, 0
	}
	if string(magic) != Magic {
		d.failAt(0, "bad magic %q, want %q", magic, Magic)
		return 0, 0
	}
	f.Version = d.u32("version")
	switch {
	case d.err != nil:
		return 0, 0
	case f.Version == 1:
		d.failAt(4, "GGUF version 1 is not supported (re-convert the model to version 3)")
	case f.Version == 0x02000000 || f.Version == 0x03000000:
		d.failAt(4, "big-endian GGUF files are not supported")
	case f.Version != 2 && f.Version != 3:
		d.failAt(4, "unsupported GGUF version %d", f.Version)
	}
	nTensors = d.length("tensor count", minTensorBytes)
	nKVs = d.length("metadata count", minKVBytes)
	if d.err == nil && nTensors*minTensorBytes+nKVs*minKVBytes > d.remaining() {
		d.failAt(d.off, "%d tensors and %d metadata entries cannot fit in the %d bytes left",
			nTensors, nKVs, d.remaining())
	}
	return nTensors, nKVs
}

func (d *decoder) readKVs(f *File, n int64) {
	// Grow with what is actually read rather than trusting n: a KV takes 13 bytes of file
	// but about 64 of memory.
	f.KVs = make([]KV, 0, min(n, 256))
	f.keys = make(map[string]int, min(n, 256))
	for i := int64(0); i < n && d.err == nil; i++ {
		at := d.off
		key := d.str("key")
		t := ValueType(d.u32("value type"))
		if d.err != nil {
			return
		}
		if key == "" {
			d.failAt(at, "empty metadata key")
			return
		}
		if _, dup := f.keys[key]; dup {
			d.failAt(at, "duplicate metadata key %q", key)
			return
		}
		v := d.value(t, d.off-4)
		if d.err != nil {
			return
		}
		f.keys[key] = len(f.KVs)
		f.KVs = append(f.KVs, KV{Key: key, Value: v})
	}
}

func (d *decoder) readAlignment(f *File) {
	v, ok := f.Get(KeyAlignment)
	if !ok {
		return
	}
	if v.Type != Uint32 {
		d.failAt(d.off, "%s has type %s, want uint32", KeyAlignment, v.Type)
		return
	}
	if v.num == 0 || v.num&(v.num-1) != 0 {
		d.failAt(d.off, "%s %d is not a power of two", KeyAlignment, v.num)
		return
	}
	f.Alignment = int64(v.num)
}

func (d *decoder) readTensors(f *File, n int64) {
	// As for KVs, memory grows with the descriptors actually read, not with n.
	f.Tensors = make([]TensorInfo, 0, min(n, 1024))
	f.tensors = make(map[string]int, min(n, 1024))
	var dims []int64 // shared backing arrays for the tensors' Dims, in chunks
	for i := range int(n) {
		if cap(dims)-len(dims) < MaxDims {
			dims = make([]int64, 0, 256*MaxDims)
		}
		f.Tensors = append(f.Tensors, TensorInfo{})
		t := &f.Tensors[i]
		at := d.off
		t.Name = d.str("tensor name")
		if d.err != nil {
			return
		}
		if t.Name == "" || len(t.Name) > MaxNameLen {
			d.failAt(at, "tensor name %q must have 1 to %d bytes", t.Name, MaxNameLen)
			return
		}
		if _, dup := f.tensors[t.Name]; dup {
			d.failAt(at, "duplicate tensor name %q", t.Name)
			return
		}
		f.tensors[t.Name] = i
		dims = d.tensorShape(t, dims)
		d.tensorTypeAndOffset(t, f.Alignment)
		if d.err != nil {
			return
		}
	}
}

// tensorShape reads the dimension count and dimensions into dims (appended) and checks that
// the element count neither overflows nor exceeds what the file could hold.
func (d *decoder) tensorShape(t *TensorInfo, dims []int64) []int64 {
	at := d.off
	nd := d.u32("dimension count")
	if d.err != nil {
		return dims
	}
	if nd > MaxDims {
		d.failAt(at, "tensor %q has %d dimensions, at most %d allowed", t.Name, nd, MaxDims)
		return dims
	}
	raw := d.take(8*int64(nd), "dimensions")
	if raw == nil {
		return dims
	}
	start := len(dims)
	elems := int64(1)
	for j := range int(nd) {
		v := binary.LittleEndian.Uint64(raw[8*j:])
		if v == 0 || v > math.MaxInt64 || int64(v) > math.MaxInt64/elems {
			d.failAt(at+4+8*int64(j), "tensor %q: bad dimension %d (element count overflows or is 0)", t.Name, v)
			return dims
		}
		elems *= int64(v)
		dims = append(dims, int64(v))
	}
	t.Dims = dims[start:len(dims):len(dims)]
	return dims
}

func (d *decoder) tensorTypeAndOffset(t *TensorInfo, alignment int64) {
	at := d.off
	t.Type = quant.Type(d.u32("tensor type"))
	off := d.u64("tensor offset")
	if d.err != nil {
		return
	}
	if !t.Type.Known() {
		d.failAt(at, "tensor %q has unknown type %d", t.Name, uint32(t.Type))
		return
	}
	size, msg := tensorBytes(t.Type, t.Dims, int64(len(d.data)))
	if msg != "" {
		d.failAt(at, "tensor %q: %s", t.Name, msg)
		return
	}
	if off > math.MaxInt64 || int64(off)%alignment != 0 {
		d.failAt(at+4, "tensor %q: offset %d is not a multiple of the alignment %d", t.Name, off, alignment)
		return
	}
	t.Size, t.Offset = size, int64(off)
}

// tensorBytes is the byte size of a tensor, or a reason it is invalid. limit bounds the size
// (the file length) so the multiplication cannot overflow.
func tensorBytes(typ quant.Type, dims []int64, limit int64) (int64, string) {
	row := int64(1)
	if len(dims) > 0 {
		row = dims[0]
	}
	bs, bb := int64(typ.BlockSize()), int64(typ.BlockBytes())
	if row%bs != 0 {
		return 0, fmt.Sprintf("row length %d is not a multiple of the %s block size %d", row, typ, bs)
	}
	if row/bs > limit/bb {
		return 0, "data larger than the file"
	}
	size := row / bs * bb
	for _, n := range dims[min(1, len(dims)):] {
		if size > limit/n {
			return 0, "data larger than the file"
		}
		size *= n
	}
	if size > limit {
		return 0, "data larger than the file"
	}
	return size, ""
}

// checkLayout places the data section and checks that every tensor lies inside the file
// and that no two tensors overlap.
func (d *decoder) checkLayout(f *File) {
	end := d.off
	f.DataOffset = (end + f.Alignment - 1) &^ (f.Alignment - 1)
	if len(f.Tensors) == 0 {
		return
	}
	n := int64(len(d.data))
	if f.DataOffset > n {
		d.failAt(end, "data section at %d starts past the end of the file (%d bytes)", f.DataOffset, n)
		return
	}
	order := make([]int, len(f.Tensors))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(f.Tensors[a].Offset, f.Tensors[b].Offset) })
	prevEnd, prev := int64(0), -1
	for _, i := range order {
		t := &f.Tensors[i]
		if t.Offset > n-f.DataOffset || t.Size > n-f.DataOffset-t.Offset {
			d.failAt(f.DataOffset+min(t.Offset, n-f.DataOffset), "tensor %q (offset %d, %d bytes) extends past the end of the file", t.Name, t.Offset, t.Size)
			return
		}
		if prev >= 0 && t.Offset < prevEnd {
			d.failAt(f.DataOffset+t.Offset, "tensor %q overlaps tensor %q", t.Name, f.Tensors[prev].Name)
			return
		}
		prevEnd, prev = t.Offset+t.Size, i
	}
}
