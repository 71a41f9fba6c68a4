package gguf

import (
	"os"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
)

func benchmarkParse(b *testing.B, elem ...string) {
	data, err := os.ReadFile(testdata.Path(b, elem...))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// 1.2 MB, 512 tokens, 48 tensors.
func BenchmarkParseStories260K(b *testing.B) { benchmarkParse(b, "gguf", "stories260K.gguf") }

// 1.7 MB with a 32000-token vocabulary.
func BenchmarkParseTinyRandom(b *testing.B) { benchmarkParse(b, "gguf", "llama-2-tiny-random.gguf") }
