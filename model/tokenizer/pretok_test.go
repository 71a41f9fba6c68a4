package tokenizer

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// splitLens runs a pre-tokenizer and returns the word lengths in code points.
func splitLens(t *testing.T, pre, text string) []int {
	t.Helper()
	p, err := preTokenizerFor(pre)
	if err != nil {
		t.Fatal(err)
	}
	_, words := p.preSplit(text)
	lens := []int{}
	for _, w := range words {
		lens = append(lens, w.end-w.start)
	}
	return lens
}

// TestPreTokenizeGolden compares the hand-written scanners with real regex engines on random
// text. testdata/pretokenize.json holds 200 random strings (ASCII, contractions, several kinds
// of white space, letters and digits of other scripts, marks, emoji, format, private-use and
// unassigned code points) with the word lengths that Python's `regex` module gives for each
// pre-tokenizer's patterns, applied fragment by fragment as llama.cpp does (non-ASCII white
// space shown as U+000B to the patterns without \p{..}).
func TestPreTokenizeGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/pretokenize.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Text   string
		Splits map[string][]int
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		for pre, want := range c.Splits {
			if got := splitLens(t, pre, c.Text); !slices.Equal(got, want) {
				t.Errorf("%s %q:\n got  %v\n want %v", pre, c.Text, got, want)
			}
		}
	}
}

func TestPreTokenizeExamples(t *testing.T) {
	cases := []struct {
		pre, text string
		want      []int
	}{
		{"gpt-2", "Hello world", []int{5, 6}},
		{"gpt-2", "   Hello", []int{2, 6}},         // \s+(?!\S) leaves one space for the word
		{"gpt-2", "a   ", []int{1, 3}},             // trailing white space is taken whole
		{"gpt-2", "I'll", []int{1, 3}},             // contraction
		{"gpt-2", "I'LL", []int{1, 1, 2}},          // case-sensitive in GPT-2
		{"llama-bpe", "I'LL", []int{1, 3}},         // case-insensitive in Llama 3
		{"llama-bpe", "1234567", []int{3, 3, 1}},   // \p{N}{1,3}
		{"qwen2", "123", []int{1, 1, 1}},           // \p{N}
		{"llama-bpe", "a \n\n b", []int{1, 3, 2}},  // \s*[\r\n]+ then " b"
		{"llama-bpe", "x!!\n\ny", []int{1, 4, 1}},  // punctuation keeps following newlines
		{"starcoder", "a12 b", []int{1, 1, 1, 2}},  // digits alone first
		{"falcon", "12345", []int{3, 2}},           // [0-9]{3} after the GPT-2 split
		{"deepseek-llm", "ab  \n", []int{2, 2, 1}}, // newline alone, then trailing white space
		{"deepseek-coder", "x1", []int{1, 1}},
		{"gpt-2", "", []int{}},
	}
	for _, c := range cases {
		if got := splitLens(t, c.pre, c.text); !slices.Equal(got, c.want) {
			t.Errorf("%s %q: got %v, want %v", c.pre, c.text, got, c.want)
		}
	}
}

func TestPreTokenizerNames(t *testing.T) {
	for _, pre := range []string{"default", "", "gpt-2", "llama-bpe", "llama3", "qwen2", "deepseek-llm",
		"deepseek-coder", "falcon", "mpt", "starcoder", "refact", "smollm", "command-r", "bloom", "viking"} {
		if _, err := preTokenizerFor(pre); err != nil {
			t.Errorf("%q: %v", pre, err)
		}
	}
	if _, err := preTokenizerFor("no-such-pre"); err == nil {
		t.Error("unknown pre-tokenizer accepted")
	}
}

// TestDecodeRunes checks llama.cpp's lenient UTF-8 decoding: overlong forms and surrogates
// decode, while a byte that starts no well-formed sequence becomes U+FFFD on its own.
func TestDecodeRunes(t *testing.T) {
	cases := []struct {
		in   string
		want []rune
	}{
		{"a\u00e9\u4e00\U0001F999", []rune{'a', 0xE9, 0x4E00, 0x1F999}},
		{"\xC0\x80", []rune{0}},
		{"\xED\xA0\x80", []rune{0xD800}},
		{"\x80a", []rune{0xFFFD, 'a'}},
		{"\xE4\xB8", []rune{0xFFFD, 0xFFFD}},
		{"\xF8\x88", []rune{0xFFFD, 0xFFFD}},
	}
	for _, c := range cases {
		if got := decodeRunes(c.in); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %U, want %U", c.in, got, c.want)
		}
	}
	if got := string(appendRune(nil, 0xD800)); got != "\xED\xA0\x80" {
		t.Errorf("surrogate encodes as %q", got)
	}
}
