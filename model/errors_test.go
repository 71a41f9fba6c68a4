package model

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/scopekv/scope/model/gguf"
	"github.com/scopekv/scope/model/llama2c"
	"github.com/scopekv/scope/model/quant"
	"github.com/scopekv/scope/model/tokenizer"
)

// synthFile writes a tiny model, changed by edit, and returns its path and bytes.
func synthFile(t *testing.T, edit func(w *gguf.Writer)) (string, []byte) {
	t.Helper()
	w, err := Synth(SynthOptions{Shape: "tiny", Type: quant.F32, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(w)
	}
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// TestErrMalformed checks that every error a file's content causes wraps ErrMalformed (with
// the parser's own sentinel still in the chain), while I/O errors and unsupported files do not.
func TestErrMalformed(t *testing.T) {
	good, data := synthFile(t, nil)
	if m, err := Open(good, Options{}); err != nil {
		t.Fatal(err)
	} else {
		m.Close()
	}
	set := func(key string, v any) func(*gguf.Writer) {
		return func(w *gguf.Writer) {
			if err := w.Set(key, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	badBOS, _ := synthFile(t, set("tokenizer.ggml.bos_token_id", uint32(1<<20)))
	badDims, _ := synthFile(t, set("llama.embedding_length", uint32(48)))
	noKey, _ := synthFile(t, set("llama.block_count", "two"))
	mamba, _ := synthFile(t, set("general.architecture", "mamba"))
	ck := make([]byte, 28)
	for i, v := range []int32{8, 16, 1, 2, 2, 4, 4} {
		binary.LittleEndian.PutUint32(ck[4*i:], uint32(v))
	}
	// dim 8, hidden 16, 1 layer, 2 heads, 2 KV heads, vocabulary 4: 696 floats of weights.
	ckDir := filepath.Dir(writeFile(t, "ck.bin", append(ck, make([]byte, 4*696)...)))
	ckPath := filepath.Join(ckDir, "ck.bin")

	malformedCases := []struct {
		name, path string
		opts       Options
		also       error
	}{
		{"truncated GGUF", writeFile(t, "t.gguf", data[:len(data)/2]), Options{}, gguf.ErrFormat},
		{"GGUF header only", writeFile(t, "h.gguf", data[:6]), Options{}, gguf.ErrFormat},
		{"two bytes", writeFile(t, "x.bin", []byte("GG")), Options{}, ErrNotModel},
		{"BOS outside the vocabulary", badBOS, Options{}, tokenizer.ErrInvalid},
		{"tensor shapes disagree with the header", badDims, Options{}, nil},
		{"hyper-parameter of the wrong type", noKey, Options{}, nil},
		{"llama2.c checkpoint of the wrong size", writeFile(t, "c.bin", ck), Options{}, llama2c.ErrFormat},
		{"llama2.c tokenizer corrupt", ckPath, Options{TokenizerPath: writeFile(t, "tok.bin", []byte{1, 2, 3, 4, 5})}, llama2c.ErrFormat},
	}
	for _, c := range malformedCases {
		_, err := Open(c.path, c.opts)
		if !errors.Is(err, ErrMalformed) || (c.also != nil && !errors.Is(err, c.also)) {
			t.Errorf("%s: %v; want ErrMalformed and %v", c.name, err, c.also)
		}
	}
	notMalformed := []struct {
		name, path string
		opts       Options
		want       error
	}{
		{"missing file", filepath.Join(t.TempDir(), "none.gguf"), Options{}, fs.ErrNotExist},
		{"missing llama2.c tokenizer file", ckPath, Options{TokenizerPath: filepath.Join(ckDir, "none.bin")}, fs.ErrNotExist},
		{"no llama2.c tokenizer given", ckPath, Options{}, ErrNoTokenizer},
		{"unsupported architecture", mamba, Options{}, ErrUnsupported},
	}
	for _, c := range notMalformed {
		_, err := Open(c.path, c.opts)
		if !errors.Is(err, c.want) || errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v; want %v and not ErrMalformed", c.name, err, c.want)
		}
	}
	if _, err := OpenVocab(writeFile(t, "v.gguf", data[:100]), Options{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("OpenVocab of a truncated file: %v", err)
	}
}
