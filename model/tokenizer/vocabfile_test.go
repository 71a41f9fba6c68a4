package tokenizer

import (
	"testing"

	"github.com/scopekv/scope/model/gguf"
)

// openVocab loads a GGUF vocabulary file.
func openVocab(t testing.TB, path string) *Tokenizer {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tk, err := FromGGUF(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return tk
}
