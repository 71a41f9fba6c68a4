package gguf

import (
	"bytes"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/scopekv/scope/model/quant"
)

// copyToWriter rebuilds a Writer holding everything f holds; whatever Parse accepts, the
// Writer must accept too.
func copyToWriter(t testing.TB, f *File) *Writer {
	t.Helper()
	w := NewWriter()
	for _, kv := range f.KVs {
		if err := w.Set(kv.Key, kv.Value); err != nil {
			t.Fatalf("parsed key %q not writable: %v", kv.Key, err)
		}
	}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		if err := w.AddTensor(ti.Name, ti.Type, ti.Dims, f.TensorData(ti)); err != nil {
			t.Fatalf("parsed tensor %q not writable: %v", ti.Name, err)
		}
	}
	return w
}

func isFormat(err error, offset int64) bool {
	var e *Error
	return errors.Is(err, ErrFormat) && errors.As(err, &e) && e.Offset == offset
}

func sampleValues() []KV {
	vals := []any{
		uint8(200), int8(-100), uint16(60000), int16(-30000), uint32(4294967295), int32(-2147483648),
		float32(-1.5e-5), true, false, "héllo ▁world", "", uint64(math.MaxUint64), int64(math.MinInt64),
		math.Pi,
		[]uint8{0, 1, 255}, []int8{-128, 127}, []uint16{1, 65535}, []int16{-1, 2, -3},
		[]uint32{7}, []int32{-7, 0, 1 << 30}, []float32{1.25, float32(math.Inf(-1)), -0.0},
		[]bool{true, false, true}, []string{"a", "", "\x00b\n", "▁t"}, []uint64{1 << 63},
		[]int64{-1, 1 << 40}, []float64{1e300, -2}, []string{}, []float32{},
	}
	kvs := make([]KV, len(vals))
	for i, x := range vals {
		v, err := ValueOf(x)
		if err != nil {
			panic(err)
		}
		kvs[i] = KV{Key: "test.k" + string(rune('a'+i)), Value: v}
	}
	return kvs
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) + seed
	}
	return b
}

type sampleTensor struct {
	name string
	typ  quant.Type
	dims []int64
}

var sampleTensors = []sampleTensor{
	{"a.f32", quant.F32, []int64{7, 3}},
	{"b.f16", quant.F16, []int64{5}},
	{"c.q4_0", quant.Q4_0, []int64{64, 3}},
	{"d.q6_k", quant.Q6_K, []int64{256}},
	{"e.i8", quant.I8, []int64{3, 2, 1, 2}},
	{"f.scalar", quant.F32, []int64{}},
}

func sampleWriter(t *testing.T) *Writer {
	w := NewWriter()
	for _, kv := range sampleValues() {
		if err := w.Set(kv.Key, kv.Value.Any()); err != nil {
			t.Fatal(err)
		}
	}
	for i, st := range sampleTensors {
		size, _ := tensorBytes(st.typ, st.dims, math.MaxInt64)
		if err := w.AddTensor(st.name, st.typ, st.dims, pattern(int(size), byte(i))); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func writeBytes(t testing.TB, w *Writer) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := w.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo: %d bytes reported, %d written, %v", n, buf.Len(), err)
	}
	return buf.Bytes()
}

func TestWriterRoundTrip(t *testing.T) {
	data := writeBytes(t, sampleWriter(t))
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want := sampleValues()
	if len(f.KVs) != len(want) {
		t.Fatalf("%d keys, want %d", len(f.KVs), len(want))
	}
	for i, kv := range f.KVs {
		w := want[i]
		if kv.Key != w.Key || kv.Value.Type != w.Value.Type || kv.Value.Elem != w.Value.Elem ||
			!reflect.DeepEqual(kv.Value.Any(), w.Value.Any()) {
			t.Errorf("key %d: %s %s/%s %#v; want %s %s/%s %#v", i, kv.Key, kv.Value.Type, kv.Value.Elem,
				kv.Value.Any(), w.Key, w.Value.Type, w.Value.Elem, w.Value.Any())
		}
	}
	if len(f.Tensors) != len(sampleTensors) {
		t.Fatalf("%d tensors, want %d", len(f.Tensors), len(sampleTensors))
	}
	for i, st := range sampleTensors {
		ti := &f.Tensors[i]
		size, _ := tensorBytes(st.typ, st.dims, math.MaxInt64)
		if ti.Name != st.name || ti.Type != st.typ || !slices.Equal(ti.Dims, st.dims) || ti.Offset%32 != 0 ||
			!bytes.Equal(f.TensorData(ti), pattern(int(size), byte(i))) {
			t.Errorf("tensor %d: %+v, want %+v", i, *ti, st)
		}
	}
	if again := writeBytes(t, copyToWriter(t, f)); !bytes.Equal(again, data) {
		t.Error("writing the parsed file again gives different bytes")
	}
}

func TestWriterAccessors(t *testing.T) {
	f, err := Parse(writeBytes(t, sampleWriter(t)))
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := f.Uint("test.ka"); !ok || u != 200 {
		t.Errorf("Uint(uint8) = %d %v", u, ok)
	}
	if _, ok := f.Uint("test.kb"); ok {
		t.Error("Uint accepted a negative int8")
	}
	if i, ok := f.Int("test.kf"); !ok || i != math.MinInt32 {
		t.Errorf("Int(int32) = %d %v", i, ok)
	}
	if _, ok := f.Int("test.kl"); ok {
		t.Error("Int accepted uint64 max")
	}
	if x, ok := f.Float("test.kg"); !ok || x != float64(float32(-1.5e-5)) {
		t.Errorf("Float(float32) = %v %v", x, ok)
	}
	if x, ok := f.Float("test.kb"); !ok || x != -100 {
		t.Errorf("Float(int8) = %v %v", x, ok)
	}
	if b, ok := f.Bool("test.kh"); !ok || !b {
		t.Errorf("Bool = %v %v", b, ok)
	}
	if _, ok := f.String("test.ka"); ok {
		t.Error("String accepted a uint8")
	}
	if a, ok := f.Int32s("test.ko"); !ok || !slices.Equal(a, []int32{0, 1, 255}) {
		t.Errorf("Int32s(uint8 array) = %v %v", a, ok)
	}
	if _, ok := f.Int32s("test.kx"); ok {
		t.Error("Int32s accepted a uint64 array holding 1<<63")
	}
	if a, ok := f.Float32s("test.kz"); !ok || !slices.Equal(a, []float32{float32(math.Inf(1)), -2}) {
		t.Errorf("Float32s(float64 array) = %v %v", a, ok)
	}
}

func TestWriterReplaceKeepsPosition(t *testing.T) {
	w := NewWriter()
	for _, k := range []string{"a", "b", "c"} {
		if err := w.Set(k, uint32(1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Set("b", "two"); err != nil {
		t.Fatal(err)
	}
	f, err := Parse(writeBytes(t, w))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.KVs) != 3 || f.KVs[1].Key != "b" || f.KVs[1].Value.Any() != "two" {
		t.Errorf("keys after replace: %+v", f.KVs)
	}
}

func TestWriterAlignment(t *testing.T) {
	w := sampleWriter(t)
	w.Alignment = 64
	f, err := Parse(writeBytes(t, w))
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := f.Uint(KeyAlignment); !ok || a != 64 || f.Alignment != 64 || f.DataOffset%64 != 0 {
		t.Errorf("alignment key %d %v, File.Alignment %d, data at %d", a, ok, f.Alignment, f.DataOffset)
	}
	for _, ti := range f.Tensors {
		if ti.Offset%64 != 0 {
			t.Errorf("%s at offset %d", ti.Name, ti.Offset)
		}
	}
	w.Alignment = 128
	if _, err := w.WriteTo(&bytes.Buffer{}); err != nil {
		t.Errorf("Alignment 128 without the key: %v", err)
	}
	w.Set(KeyAlignment, uint32(256))
	if _, err := w.WriteTo(&bytes.Buffer{}); err == nil {
		t.Error("Alignment 128 with general.alignment 256 accepted")
	}
	w.Alignment = 0
	if f, err := Parse(writeBytes(t, w)); err != nil || f.Alignment != 256 {
		t.Errorf("alignment from the key: %v %v", f, err)
	}
	for _, bad := range []any{uint32(48), uint32(0), uint64(64)} {
		w.Set(KeyAlignment, bad)
		if _, err := w.WriteTo(&bytes.Buffer{}); err == nil {
			t.Errorf("general.alignment %T %v accepted", bad, bad)
		}
	}
}

func TestWriterRejects(t *testing.T) {
	w := NewWriter()
	for _, bad := range []any{1, uint(1), []int{1}, [][]uint8{{1}}, map[string]int{}, nil, Value{Type: 13},
		Value{Type: Array, Elem: Uint8}, Value{Type: Array, Elem: Int32, arr: []uint32{1}}} {
		if err := w.Set("k", bad); err == nil {
			t.Errorf("Set(%#v) accepted", bad)
		}
	}
	if err := w.Set("", uint8(1)); err == nil {
		t.Error("empty key accepted")
	}
	ok := make([]byte, 4*6)
	if err := w.AddTensor("t", quant.F32, []int64{3, 2}, ok); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		typ  quant.Type
		dims []int64
		data []byte
	}{
		{"t", quant.F32, []int64{3, 2}, ok},                   // duplicate
		{"", quant.F32, []int64{6}, ok},                       // empty name
		{string(make([]byte, 64)), quant.F32, []int64{6}, ok}, // name too long
		{"u", quant.F32, []int64{3, 2}, ok[:20]},              // short data
		{"u", quant.Type(4), []int64{6}, ok},                  // unknown type
		{"u", quant.F32, []int64{1, 1, 1, 1, 6}, ok},          // 5 dims
		{"u", quant.F32, []int64{6, 0}, ok},                   // zero dim
		{"u", quant.F32, []int64{-6}, ok},                     // negative dim
		{"u", quant.Q4_0, []int64{33}, ok},                    // not a block multiple
		{"u", quant.F32, []int64{1 << 62, 1 << 62}, ok},       // overflow
	}
	for _, c := range cases {
		if err := w.AddTensor(c.name, c.typ, c.dims, c.data); err == nil {
			t.Errorf("AddTensor(%q, %s, %v, %d bytes) accepted", c.name, c.typ, c.dims, len(c.data))
		}
	}
}

func TestWriteFileOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := sampleWriter(t).WriteFile(path); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ti, ok := f.Tensor("c.q4_0")
	if !ok || !bytes.Equal(f.TensorData(ti), pattern(18*2*3, 2)) {
		t.Errorf("c.q4_0 after WriteFile/Open: %v", ti)
	}
	if err := sampleWriter(t).WriteFile(filepath.Join(path, "x")); err == nil {
		t.Error("WriteFile into a file path succeeded")
	}
}
