package model

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model/llama2c"
)

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// llama2cHeaderBytes encodes a llama2.c header: dim, hidden, layers, heads, kv heads, vocab, seq.
func llama2cHeaderBytes(v ...int32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	return b
}

func TestOpenRejectsFilesThatAreNoModel(t *testing.T) {
	cases := map[string][]byte{
		"text.md":    []byte("# A README\n\nThis is a text file, long enough for a header.\n"),
		"empty.bin":  nil,
		"short.bin":  []byte("GGU"),
		"zeros.bin":  make([]byte, 4096),
		"odd.bin":    llama2cHeaderBytes(64, 172, 5, 7, 7, 512, 512), // 7 heads do not divide 64
		"huge.bin":   llama2cHeaderBytes(1<<20, 172, 5, 8, 4, 512, 512),
		"negdim.bin": llama2cHeaderBytes(-64, 172, 5, 8, 4, 512, 512),
	}
	for name, data := range cases {
		p := writeFile(t, name, data)
		for op, open := range map[string]func(string, Options) (*Model, error){"Open": Open, "OpenVocab": OpenVocab} {
			_, err := open(p, Options{TokenizerPath: p})
			if !errors.Is(err, ErrNotModel) {
				t.Errorf("%s(%s): %v, want ErrNotModel", op, name, err)
			}
		}
	}
}

func TestOpenLlama2CHeaderIsNotRejectedAsNoModel(t *testing.T) {
	// A plausible header with missing weights is a (truncated) llama2.c file.
	p := writeFile(t, "trunc.bin", llama2cHeaderBytes(64, 172, 5, 8, 4, 512, 512))
	_, err := Open(p, Options{TokenizerPath: p})
	if errors.Is(err, ErrNotModel) || !errors.Is(err, llama2c.ErrFormat) {
		t.Errorf("truncated checkpoint: %v, want a llama2c format error", err)
	}
}

func TestOpenLlama2CNeedsTokenizer(t *testing.T) {
	dir := testdata.Path(t, "llama2c")
	ck := filepath.Join(dir, "stories260K.bin")
	// Put a tokenizer.bin beside a copy of the checkpoint: it must not be taken silently.
	data, err := os.ReadFile(ck)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := os.ReadFile(filepath.Join(dir, "tok512.bin"))
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "model.bin", data)
	if err := os.WriteFile(filepath.Join(filepath.Dir(p), "tokenizer.bin"), tok, 0o644); err != nil {
		t.Fatal(err)
	}
	for op, open := range map[string]func(string, Options) (*Model, error){"Open": Open, "OpenVocab": OpenVocab} {
		if _, err := open(p, Options{}); !errors.Is(err, ErrNoTokenizer) {
			t.Errorf("%s without a tokenizer path: %v, want ErrNoTokenizer", op, err)
		}
		m, err := open(p, Options{TokenizerPath: filepath.Join(filepath.Dir(p), "tokenizer.bin")})
		if err != nil {
			t.Fatalf("%s with the tokenizer path: %v", op, err)
		}
		m.Close()
	}
}
