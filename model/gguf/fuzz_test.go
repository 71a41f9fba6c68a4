package gguf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
)

// FuzzParse checks that Parse never panics, that errors are *Error inside the file, and that
// an accepted file has every tensor aligned, inside the data and apart from the others, and
// survives a Writer round trip unchanged.
func FuzzParse(f *testing.F) {
	for _, c := range corruptCases() {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrFormat) || e.Offset < 0 || e.Offset > int64(len(data)) {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		checkTensorsInside(t, file, data)
		checkRoundTrip(t, file)
	})
}

func checkTensorsInside(t *testing.T, f *File, data []byte) {
	n := int64(len(data))
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		size, msg := tensorBytes(ti.Type, ti.Dims, n)
		end := f.DataOffset + ti.Offset + ti.Size
		if msg != "" || size != ti.Size || ti.Offset < 0 || ti.Offset%f.Alignment != 0 || end > n ||
			int64(len(f.TensorData(ti))) != ti.Size {
			t.Fatalf("tensor %+v bad in a %d-byte file (data at %d): %s", *ti, n, f.DataOffset, msg)
		}
		if len(f.Tensors) > 1000 {
			continue // the pairwise overlap check below is quadratic
		}
		for j := range i {
			o := &f.Tensors[j]
			if ti.Offset < o.Offset+o.Size && o.Offset < ti.Offset+ti.Size {
				t.Fatalf("tensors %q and %q overlap", ti.Name, o.Name)
			}
		}
	}
}

func checkRoundTrip(t *testing.T, f *File) {
	once := writeBytes(t, copyToWriter(t, f))
	g, err := Parse(once)
	if err != nil {
		t.Fatalf("written file does not parse: %v", err)
	}
	if len(g.KVs) != len(f.KVs) || len(g.Tensors) != len(f.Tensors) {
		t.Fatalf("round trip: %d keys %d tensors, want %d %d", len(g.KVs), len(g.Tensors), len(f.KVs), len(f.Tensors))
	}
	for i := range f.Tensors {
		if !bytes.Equal(g.TensorData(&g.Tensors[i]), f.TensorData(&f.Tensors[i])) {
			t.Fatalf("round trip changed tensor %q", f.Tensors[i].Name)
		}
	}
	if twice := writeBytes(t, copyToWriter(t, g)); !bytes.Equal(once, twice) {
		t.Fatal("writing a written file again changes it")
	}
}

// TestWriteFuzzSeeds regenerates testdata/fuzz/FuzzParse when GGUF_WRITE_FUZZ_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("GGUF_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set GGUF_WRITE_FUZZ_SEEDS=1 to regenerate the seed corpus")
	}
	seeds := map[string][]byte{"sample-all-types": writeBytes(t, sampleWriter(t))}
	for _, c := range corruptCases() {
		seeds[strings.ReplaceAll(c.name, " ", "-")] = c.data
	}
	for name, data := range realSeeds(t) {
		seeds[name] = data
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range seeds {
		writeSeed(t, filepath.Join(dir, name), data)
	}
}

func writeSeed(t *testing.T, path string, args ...[]byte) {
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		b.WriteString("[]byte(" + strconv.Quote(string(a)) + ")\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// realSeeds derives small seeds from the shared model files: cut, shrunk and corrupted.
func realSeeds(t *testing.T) map[string][]byte {
	orig, err := os.ReadFile(testdata.Path(t, "gguf", "stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	vocab, err := os.ReadFile(testdata.Path(t, "tokenizer", "ggml-vocab-llama-spm.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(orig)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWriter()
	for _, kv := range f.KVs {
		w.Set(kv.Key, kv.Value)
	}
	for i := range f.Tensors { // keep the small norm vectors only
		if ti := &f.Tensors[i]; len(ti.Dims) == 1 {
			w.AddTensor(ti.Name, ti.Type, ti.Dims, f.TensorData(ti))
		}
	}
	norms := writeBytes(t, w)
	overlap := bytes.Clone(norms)
	setTensorOffset(t, overlap, "blk.1.attn_norm.weight", 0)
	offEnd := bytes.Clone(norms)
	setTensorOffset(t, offEnd, "output_norm.weight", 1<<20)
	hugeCount := bytes.Clone(orig[:4000])
	binary.LittleEndian.PutUint64(hugeCount[8:], 1<<50)
	return map[string][]byte{
		"stories260K-norms":           norms,
		"stories260K-norms-overlap":   overlap,
		"stories260K-norms-offsetend": offEnd,
		"stories260K-header-only":     orig[:f.DataOffset],
		"stories260K-cut-in-vocab":    orig[:5000],
		"stories260K-huge-count":      hugeCount,
		"llama-spm-cut":               vocab[:8192],
	}
}

// setTensorOffset rewrites the offset field of the named tensor's descriptor.
func setTensorOffset(t *testing.T, data []byte, name string, off uint64) {
	i := bytes.Index(data, append(binary.LittleEndian.AppendUint64(nil, uint64(len(name))), name...))
	if i < 0 {
		t.Fatalf("tensor %s not found", name)
	}
	p := i + 8 + len(name)
	nd := int(binary.LittleEndian.Uint32(data[p:]))
	binary.LittleEndian.PutUint64(data[p+4+8*nd+4:], off)
}
