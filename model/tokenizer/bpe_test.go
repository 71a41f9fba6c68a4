package tokenizer

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// byteLevel maps text to GPT-2's byte-level alphabet ("Ġ" for a space).
func byteLevel(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		b = utf8.AppendRune(b, byteToRune[s[i]])
	}
	return string(b)
}

// bpeVocab builds a byte-level vocabulary: the 256 byte tokens, then merged tokens and the
// given extra tokens with their types. Merges are given in rank order as plain text pairs.
func bpeVocab(t *testing.T, pre string, merges [][2]string, extra map[string]TokenType) (*Tokenizer, map[string]int32) {
	t.Helper()
	v := &Vocab{Model: "gpt2", Pre: pre, BOS: -1, EOS: -1, UNK: -1, PAD: -1, EOT: -1}
	add := func(s string, typ TokenType) {
		v.Tokens = append(v.Tokens, s)
		v.Types = append(v.Types, typ)
	}
	for b := range 256 {
		add(byteLevel(string([]byte{byte(b)})), TypeNormal)
	}
	for _, m := range merges {
		l, r := byteLevel(m[0]), byteLevel(m[1])
		v.Merges = append(v.Merges, l+" "+r)
		add(l+r, TypeNormal)
	}
	for _, s := range slices.Sorted(func(yield func(string) bool) {
		for k := range extra {
			if !yield(k) {
				return
			}
		}
	}) {
		add(s, extra[s])
	}
	tk, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int32{}
	for i, s := range v.Tokens {
		ids[s] = int32(i)
	}
	return tk, ids
}

func TestBPEMergeRanks(t *testing.T) {
	tk, _ := bpeVocab(t, "gpt-2", [][2]string{{"h", "e"}, {" ", "t"}, {" t", "he"}, {"e", "r"}, {"t", "h"}}, nil)
	cases := []struct {
		text string
		want []string
	}{
		{" the", []string{"Ġthe"}},
		{"ther", []string{"t", "he", "r"}}, // "h e" (rank 0) wins over "t h" and "e r"
		{"there the", []string{"t", "he", "r", "e", "Ġthe"}},
		{"é", []string{"Ã", "©"}},
	}
	for _, c := range cases {
		if got := names(tk, tk.Encode(c.text, false, false)); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.text, got, c.want)
		}
	}
}

func TestBPEIgnoreMerges(t *testing.T) {
	extra := map[string]TokenType{byteLevel("abc"): TypeNormal}
	merges := [][2]string{{"a", "b"}}
	gpt, _ := bpeVocab(t, "gpt-2", merges, extra)
	if got := names(gpt, gpt.Encode("abc", false, false)); !slices.Equal(got, []string{"ab", "c"}) {
		t.Errorf("gpt-2: %q", got)
	}
	// Llama 3 takes a word that is a token whole.
	l3, _ := bpeVocab(t, "llama-bpe", merges, extra)
	if got := names(l3, l3.Encode("abc", false, false)); !slices.Equal(got, []string{"abc"}) {
		t.Errorf("llama-bpe: %q", got)
	}
}

func TestBPESpecialTokens(t *testing.T) {
	tk, ids := bpeVocab(t, "qwen2", nil, map[string]TokenType{
		"<|im_start|>": TypeControl, "<|im_end|>": TypeNormal, "<tool>": TypeUserDefined,
	})
	got := tk.Encode("a<|im_start|>b<tool>", false, false)
	if slices.Contains(got, ids["<|im_start|>"]) || !slices.Contains(got, ids["<tool>"]) {
		t.Errorf("parseSpecial=false: %q", names(tk, got))
	}
	got = tk.Encode("a<|im_start|>b<|im_end|>", false, true)
	want := []int32{ids["a"], ids["<|im_start|>"], ids["b"], ids["<|im_end|>"]}
	if !slices.Equal(got, want) {
		t.Errorf("parseSpecial=true: got %q, want %q", names(tk, got), names(tk, want))
	}
	// <|im_end|> looks like an end-of-turn token: it becomes control and ends generation.
	if !tk.IsEOG(ids["<|im_end|>"]) || tk.IsEOG(ids["<|im_start|>"]) || tk.IsEOG(ids["a"]) {
		t.Error("IsEOG wrong")
	}
	if p := tk.Piece(ids["<|im_end|>"]); len(p) != 0 {
		t.Errorf("Piece of a control token = %q", p)
	}
	if got := tk.Decode(want); got != "ab" {
		t.Errorf("Decode = %q", got)
	}
	if got := string(tk.Piece(ids["<tool>"])); got != "<tool>" {
		t.Errorf("user-defined Piece = %q", got)
	}
}

func TestBPEDecode(t *testing.T) {
	tk, ids := bpeVocab(t, "gpt-2", nil, nil)
	enc := func(s string) []int32 { return tk.Encode(s, false, false) }
	if got := tk.Decode(enc("a b\n")); got != "a b\n" {
		t.Errorf("Decode = %q", got)
	}
	// gpt-2 cleans up spaces before punctuation and contractions; qwen2 does not.
	if got := tk.Decode(enc("Hi , it 's me ' ok ?")); got != "Hi, it's me'ok?" {
		t.Errorf("clean-up: %q", got)
	}
	qw, _ := bpeVocab(t, "qwen2", nil, nil)
	if got := qw.Decode(qw.Encode("Hi , it 's", false, false)); got != "Hi , it 's" {
		t.Errorf("qwen2: %q", got)
	}
	if got := string(tk.Piece(ids["Ġ"])); got != " " {
		t.Errorf("Piece(Ġ) = %q", got)
	}
	// Invalid UTF-8 reaches the model as U+FFFD.
	if got := tk.Decode(enc("a\xffb")); got != "a\uFFFDb" {
		t.Errorf("invalid UTF-8 = %q", got)
	}
}

func TestCleanSpaces(t *testing.T) {
	cases := map[string]string{
		"":            "",
		"a ,b .c":     "a,b.c",
		" ?":          "?",
		"x ' y":       "x'y",
		"x ' ' y":     "x'' y", // the second apostrophe's space was consumed
		"I 'm he 'll": "I'm he 'll",
		"we 're 've":  "we're've",
		"a 'd 't":     "a 'd 't",
	}
	for in, want := range cases {
		if got := string(cleanSpaces([]byte(in))); got != want {
			t.Errorf("cleanSpaces(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBPEEOGAndDefaults(t *testing.T) {
	tk, ids := bpeVocab(t, "gpt-2", nil, map[string]TokenType{"<|endoftext|>": TypeControl, "<|fim_pad|>": TypeNormal})
	if !tk.IsEOG(ids["<|endoftext|>"]) || !tk.IsEOG(ids["<|fim_pad|>"]) {
		t.Error("end-of-text and FIM padding tokens should end generation")
	}
	if tk.BOS() != -1 || tk.EOS() != -1 || tk.VocabSize() != 258 {
		t.Errorf("BOS %d EOS %d size %d", tk.BOS(), tk.EOS(), tk.VocabSize())
	}
	if got := tk.Encode("", true, true); len(got) != 0 {
		t.Errorf("empty text gave %v", got)
	}
}
