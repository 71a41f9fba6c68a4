package tokenizer

import (
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/scopekv/scope/internal/testdata"
)

// Real vocabularies are loaded once per process: fuzzing calls the targets many times.
var (
	vocabCache   = map[string]*Tokenizer{}
	vocabCacheMu sync.Mutex
)

func cachedVocab(t testing.TB, name string) *Tokenizer {
	t.Helper()
	vocabCacheMu.Lock()
	defer vocabCacheMu.Unlock()
	if tk, ok := vocabCache[name]; ok {
		return tk
	}
	tk := openVocab(t, testdata.Path(t, "tokenizer", "ggml-vocab-"+name+".gguf"))
	vocabCache[name] = tk
	return tk
}

var fuzzSeeds = []string{"", " ", "Hello world", "  Hello\n\n  world!!", "I've 3.14 'RE ...",
	"нещо 我想在apple工作1314151天～ 🦙", "\t\r\n\v\f\u00a0\u3000", "a\xffb\xC0\x80\xED\xA0\x80",
	"</s><s><unk><|endoftext|>", "▁▁x▁", "33333333", "Führer ½ Cửa Việt", "x'' y 's ?"}

func checkIDs(t *testing.T, tk *Tokenizer, ids []int32) {
	t.Helper()
	for _, id := range ids {
		if id < 0 || int(id) >= tk.VocabSize() {
			t.Fatalf("id %d outside the vocabulary", id)
		}
	}
}

// FuzzEncodeSPM: any input encodes to valid ids, and valid UTF-8 decodes back to the input
// (with U+2581 read as a space, as SentencePiece vocabularies mean it). Invalid UTF-8 need not
// round-trip: like llama.cpp, symbols are cut by lead byte, so a stray lead byte can swallow
// the bytes of an escaped space, which then come back as raw bytes.
func FuzzEncodeSPM(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	tk := cachedVocab(f, "llama-spm")
	f.Fuzz(func(t *testing.T, s string) {
		ids := tk.Encode(s, false, false)
		checkIDs(t, tk, ids)
		want := strings.ReplaceAll(s, spaceEscape, " ")
		if got := tk.Decode(ids); utf8.ValidString(s) && got != want {
			t.Fatalf("round trip %q -> %v -> %q", s, ids, got)
		}
		withSpecial := tk.Encode(s, true, true)
		checkIDs(t, tk, withSpecial)
		if len(withSpecial) == 0 || withSpecial[0] != tk.BOS() {
			t.Fatalf("no BOS: %v", withSpecial)
		}
	})
}

// FuzzEncodeBPE: every pre-tokenizer covers its input exactly, and for the byte-level
// vocabularies of the suite valid UTF-8 round-trips (after llama.cpp's space clean-up where the
// pre-tokenizer uses it).
func FuzzEncodeBPE(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	names := []string{"gpt-2", "deepseek-coder", "deepseek-llm", "falcon", "mpt", "starcoder", "refact"}
	var tks []*Tokenizer
	for _, n := range names {
		tks = append(tks, cachedVocab(f, n))
	}
	pres := []string{"default", "llama-bpe", "qwen2", "deepseek-llm", "deepseek-coder", "falcon", "gpt-2", "starcoder", "bloom", "viking"}
	f.Fuzz(func(t *testing.T, s string) {
		for _, name := range pres {
			checkCoverage(t, name, s)
		}
		for i, tk := range tks {
			ids := tk.Encode(s, false, false)
			checkIDs(t, tk, ids)
			checkIDs(t, tk, tk.Encode(s, true, true))
			if !utf8.ValidString(s) || !coversBytes(tk, s) {
				continue
			}
			want := s
			if tk.pre.cleanSpaces {
				want = string(cleanSpaces([]byte(s)))
			}
			if got := tk.Decode(ids); got != want {
				t.Fatalf("%s: round trip %q -> %v -> %q", names[i], s, ids, got)
			}
		}
	})
}

// coversBytes reports whether every byte of s has a byte-level token (falcon's vocabulary
// lacks some control characters, which llama.cpp then drops).
func coversBytes(tk *Tokenizer, s string) bool {
	for i := 0; i < len(s); i++ {
		if _, ok := tk.ids[byteLevel(s[i:i+1])]; !ok {
			return false
		}
	}
	return true
}

// checkCoverage checks that the words of a pre-tokenizer are non-empty, in order and cover
// the whole text.
func checkCoverage(t *testing.T, pre, s string) {
	p, err := preTokenizerFor(pre)
	if err != nil {
		t.Fatal(err)
	}
	cps, words := p.preSplit(s)
	at := 0
	for _, w := range words {
		if w.start != at || w.end <= w.start {
			t.Fatalf("%s %q: words %v do not tile the text", pre, s, words)
		}
		at = w.end
	}
	if at != len(cps) {
		t.Fatalf("%s %q: words end at %d of %d", pre, s, at, len(cps))
	}
}
