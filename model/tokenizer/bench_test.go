package tokenizer

import (
	"os"
	"strings"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
)

// benchText is about 10 KB of mixed text: the suite inputs (several scripts, emoji, white space
// runs, digits, punctuation) repeated.
func benchText(b *testing.B) string {
	inp, err := os.ReadFile(testdata.Path(b, "tokenizer", "ggml-vocab-gpt-2.gguf.inp"))
	if err != nil {
		b.Fatal(err)
	}
	s := strings.ReplaceAll(string(inp), "\n__ggml_vocab_test__\n", " ")
	return strings.Repeat(s, 10_000/len(s)+1)[:10_000]
}

func benchmarkEncode(b *testing.B, name string) {
	tk := cachedVocab(b, name)
	text := benchText(b)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		tk.Encode(text, true, false)
	}
}

func BenchmarkEncode10KB(b *testing.B) {
	for _, name := range []string{"llama-spm", "gpt-2", "deepseek-llm", "mpt"} {
		b.Run(name, func(b *testing.B) { benchmarkEncode(b, name) })
	}
}

// BenchmarkEncodeLongWord: one 10 KB word without spaces (the merge queue, not the
// pre-tokenizer, does the work).
func BenchmarkEncodeLongWord(b *testing.B) {
	for _, name := range []string{"llama-spm", "gpt-2"} {
		b.Run(name, func(b *testing.B) {
			tk := cachedVocab(b, name)
			text := strings.Repeat("abcdefghij", 1000)
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				tk.Encode(text, false, false)
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	tk := cachedVocab(b, "gpt-2")
	ids := tk.Encode(benchText(b), false, false)
	for b.Loop() {
		tk.Decode(ids)
	}
}
