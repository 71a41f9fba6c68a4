package gguf

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// rawFile assembles a GGUF file field by field, so tests can write what the Writer refuses.
type rawFile struct {
	version        uint32
	nTensors, nKVs int64 // -1: the real lengths
	kvs, tensors   [][]byte
	align          int64 // padding before data; 0: 32, -1: none
	data           []byte
	magic          string // "": "GGUF"
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
func rstr(s string) []byte { return append(le64(uint64(len(s))), s...) }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func rkv(key string, typ uint32, payload ...[]byte) []byte {
	return cat(rstr(key), le32(typ), cat(payload...))
}

func rtensor(name string, dims []uint64, typ uint32, off uint64) []byte {
	out := cat(rstr(name), le32(uint32(len(dims))))
	for _, d := range dims {
		out = append(out, le64(d)...)
	}
	return cat(out, le32(typ), le64(off))
}

func (r rawFile) bytes() []byte {
	magic, version := r.magic, r.version
	if magic == "" {
		magic = "GGUF"
	}
	if version == 0 {
		version = 3
	}
	nt, nk := r.nTensors, r.nKVs
	if nt < 0 {
		nt = int64(len(r.tensors))
	}
	if nk < 0 {
		nk = int64(len(r.kvs))
	}
	out := cat([]byte(magic), le32(version), le64(uint64(nt)), le64(uint64(nk)), cat(r.kvs...), cat(r.tensors...))
	align := r.align
	if align == 0 {
		align = 32
	}
	for align > 0 && int64(len(out))%align != 0 {
		out = append(out, 0)
	}
	return append(out, r.data...)
}

func file(kvs [][]byte, tensors [][]byte, data []byte) rawFile {
	return rawFile{nTensors: -1, nKVs: -1, kvs: kvs, tensors: tensors, data: data}
}

func kvs(k ...[]byte) [][]byte     { return k }
func tensors(t ...[]byte) [][]byte { return t }

const (
	tF32  = 0
	tQ4_0 = 2
)

type corruptCase struct {
	name   string
	data   []byte
	offset int64 // -1: not checked
	msg    string
}

func corruptCases() []corruptCase {
	a := rkv("a", uint32(Uint8), []byte{1})
	f32x16 := func(name string, off uint64) []byte { return rtensor(name, []uint64{16}, tF32, off) }
	withVersion := func(v uint32) []byte { r := file(nil, nil, nil); r.version = v; return r.bytes() }
	withCounts := func(nt, nk int64, tail int) []byte {
		r := file(nil, nil, make([]byte, tail))
		r.nTensors, r.nKVs, r.align = nt, nk, -1
		return r.bytes()
	}
	align := func(typ ValueType, v []byte) []byte {
		return file(kvs(rkv(KeyAlignment, uint32(typ), v)), nil, nil).bytes()
	}
	noData := file(nil, tensors(rtensor("t", []uint64{1}, tF32, 0)), nil)
	noData.align = -1
	return []corruptCase{
		{"empty", nil, 0, "magic"},
		{"short magic", []byte("GGU"), 0, "magic"},
		{"bad magic", rawFile{magic: "GGML"}.bytes(), 0, "bad magic"},
		{"version 1", withVersion(1), 4, "version 1 is not supported"},
		{"future version", withVersion(4), 4, "unsupported GGUF version 4"},
		{"big-endian", withVersion(0x03000000), 4, "big-endian"},
		{"truncated counts", []byte("GGUF\x03\x00\x00\x00\x00\x00"), 8, "tensor count"},
		{"huge tensor count", withCounts(1<<60, 0, 64), 8, "tensor count"},
		{"huge kv count", withCounts(0, 1<<40, 64), 16, "metadata count"},
		{"counts together too large", withCounts(1, 2, 26), 24, "cannot fit"},
		{"huge key length", cat(withCounts(0, 1, 0), le64(1<<62), make([]byte, 20)), 24, "key length"},
		{"empty key", file(kvs(rkv("", uint32(Uint8), []byte{1})), nil, nil).bytes(), 24, "empty metadata key"},
		{"unknown value type", file(kvs(rkv("a", 13, []byte{1})), nil, nil).bytes(), 33, "unknown value type 13"},
		{"array of arrays", file(kvs(rkv("a", 9, le32(9), le64(0))), nil, nil).bytes(), 37, "arrays of arrays"},
		{"unknown array type", file(kvs(rkv("a", 9, le32(20), le64(0))), nil, nil).bytes(), 37, "unknown array element type 20"},
		{"huge array length", file(kvs(rkv("a", 9, le32(4), le64(1<<61))), nil, nil).bytes(), 41, "array length"},
		{"string array short", cat(withCounts(0, 1, 0), rkv("a", 9, le32(8), le64(2), rstr("x"), le64(100), []byte("abc"))), 58, "string length 100"},
		{"truncated string", cat(withCounts(0, 1, 0), rkv("a", 8, le64(100), []byte("abc"))), 37, "string length 100"},
		{"truncated scalar", cat(withCounts(0, 1, 0), rkv("a", 10, []byte{1, 2})), 37, "uint64"},
		{"duplicate key", file(kvs(a, a), nil, nil).bytes(), 38, "duplicate metadata key"},
		{"alignment type", align(Uint64, le64(32)), -1, "want uint32"},
		{"alignment zero", align(Uint32, le32(0)), -1, "not a power of two"},
		{"alignment three", align(Uint32, le32(3)), -1, "not a power of two"},
		{"five dims", file(nil, tensors(rtensor("t", []uint64{1, 1, 1, 1, 16}, tF32, 0)), make([]byte, 64)).bytes(), 33, "5 dimensions"},
		{"zero dim", file(nil, tensors(rtensor("t", []uint64{16, 0}, tF32, 0)), make([]byte, 64)).bytes(), 45, "bad dimension 0"},
		{"dims overflow", file(nil, tensors(rtensor("t", []uint64{1 << 32, 1 << 32}, tF32, 0)), nil).bytes(), 45, "overflows"},
		{"dim above int64", file(nil, tensors(rtensor("t", []uint64{1 << 63}, tF32, 0)), nil).bytes(), 37, "bad dimension"},
		{"unknown tensor type", file(nil, tensors(rtensor("t", []uint64{16}, 4, 0)), make([]byte, 64)).bytes(), 45, "unknown type 4"},
		{"row not block multiple", file(nil, tensors(rtensor("t", []uint64{33}, tQ4_0, 0)), make([]byte, 64)).bytes(), 45, "not a multiple"},
		{"tensor larger than file", file(nil, tensors(rtensor("t", []uint64{1 << 40}, tF32, 0)), nil).bytes(), 45, "larger than the file"},
		{"unaligned offset", file(nil, tensors(f32x16("t", 4)), make([]byte, 96)).bytes(), 49, "not a multiple of the alignment"},
		{"offset past end", file(nil, tensors(f32x16("t", 1<<40)), make([]byte, 64)).bytes(), -1, "past the end"},
		{"data truncated", file(nil, tensors(f32x16("t", 0)), make([]byte, 63)).bytes(), -1, "past the end"},
		{"no data section", noData.bytes(), 57, "data section"},
		{"overlap", file(nil, tensors(f32x16("t", 32), f32x16("u", 0)), make([]byte, 128)).bytes(), -1, `"t" overlaps tensor "u"`},
		{"duplicate tensor", file(nil, tensors(f32x16("t", 0), f32x16("t", 64)), make([]byte, 128)).bytes(), 57, "duplicate tensor name"},
		{"empty tensor name", file(nil, tensors(f32x16("", 0)), make([]byte, 64)).bytes(), 24, "tensor name"},
		{"long tensor name", file(nil, tensors(f32x16(strings.Repeat("x", 64), 0)), make([]byte, 64)).bytes(), 24, "tensor name"},
	}
}

func TestCorruptFiles(t *testing.T) {
	for _, c := range corruptCases() {
		_, err := Parse(c.data)
		var e *Error
		switch {
		case err == nil:
			t.Errorf("%s: accepted", c.name)
		case !errors.Is(err, ErrFormat) || !errors.As(err, &e):
			t.Errorf("%s: error %v is not a gguf *Error", c.name, err)
		case !strings.Contains(e.Msg, c.msg) || !strings.HasPrefix(err.Error(), "gguf: offset "):
			t.Errorf("%s: %q does not mention %q", c.name, err, c.msg)
		case e.Offset < 0 || e.Offset > int64(len(c.data)) || (c.offset >= 0 && e.Offset != c.offset):
			t.Errorf("%s: offset %d, want %d (file %d bytes): %v", c.name, e.Offset, c.offset, len(c.data), err)
		}
	}
}

func TestAcceptedEdgeCases(t *testing.T) {
	v2 := file(kvs(rkv("a", uint32(String), rstr("x"))), tensors(f32x16("t", 0)), make([]byte, 64))
	v2.version = 2
	noPad := file(kvs(rkv("a", uint32(Uint8), []byte{1})), nil, nil)
	noPad.align = -1
	gap := file(nil, tensors(f32x16("t", 128), f32x16("u", 0)), make([]byte, 192))
	for name, r := range map[string]rawFile{"version 2": v2, "no tensors, no padding": noPad, "gaps and any order": gap} {
		if _, err := Parse(r.bytes()); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func f32x16(name string, off uint64) []byte { return rtensor(name, []uint64{16}, tF32, off) }
