package tokenizer

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// spmVocab builds a small SentencePiece vocabulary: <unk>, <s>, </s>, the 256 byte tokens, then
// the given pieces with their scores.
func spmVocab(t *testing.T, pieces map[string]float32, extra ...string) (*Tokenizer, map[string]int32) {
	t.Helper()
	v := &Vocab{Model: "llama", BOS: 1, EOS: 2, UNK: 0, PAD: -1, EOT: -1, AddBOS: true, AddSpacePrefix: true}
	add := func(s string, typ TokenType, score float32) {
		v.Tokens = append(v.Tokens, s)
		v.Types = append(v.Types, typ)
		v.Scores = append(v.Scores, score)
	}
	add("<unk>", TypeUnknown, 0)
	add("<s>", TypeControl, 0)
	add("</s>", TypeControl, 0)
	for b := range 256 {
		add(fmt.Sprintf("<0x%02X>", b), TypeByte, 0)
	}
	for _, s := range slices.Sorted(func(yield func(string) bool) {
		for k := range pieces {
			if !yield(k) {
				return
			}
		}
	}) {
		add(s, TypeNormal, pieces[s])
	}
	for _, s := range extra {
		add(s, TypeUserDefined, 0)
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

func names(tk *Tokenizer, ids []int32) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = tk.texts[id]
	}
	return out
}

func TestSPMMergeOrder(t *testing.T) {
	tk, _ := spmVocab(t, map[string]float32{
		"▁": -1, "a": -2, "b": -2, "c": -2, "▁a": -3, "ab": -5, "bc": -4, "▁ab": -6, "abc": -1,
	})
	cases := []struct {
		text string
		want []string
	}{
		// "▁a" (-3) beats "bc" (-4); then "▁ab" is not reachable as "b" is merged: "▁a","bc".
		{"abc", []string{"▁a", "bc"}},
		{"bcb", []string{"▁", "bc", "b"}},
		// Equal scores: the leftmost pair merges first.
		{"bbb", []string{"▁", "b", "b", "b"}},
		{"é", []string{"▁", "<0xC3>", "<0xA9>"}}, // byte fallback
		{"", nil},
	}
	for _, c := range cases {
		if got := names(tk, tk.Encode(c.text, false, false)); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.text, got, c.want)
		}
	}
}

func TestSPMTieLeftmost(t *testing.T) {
	tk, _ := spmVocab(t, map[string]float32{"▁": -1, "x": -2, "xx": -1})
	got := names(tk, tk.Encode("xxx", false, false))
	if want := []string{"▁", "xx", "x"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSPMSpecialTokens(t *testing.T) {
	tk, ids := spmVocab(t, map[string]float32{"▁": -1, "a": -2, "b": -2, "▁a": -1, "▁b": -1},
		"<tool>")
	// BOS by AddBOS; "</s>" is plain text unless parseSpecial; after a special token the
	// dummy prefix comes back.
	got := tk.Encode("a</s>b", true, true)
	want := []int32{1, ids["▁a"], 2, ids["▁b"]}
	if !slices.Equal(got, want) {
		t.Errorf("parseSpecial: got %q, want %q", names(tk, got), names(tk, want))
	}
	got = tk.Encode("a</s>", false, false)
	if slices.Contains(got, 2) {
		t.Errorf("control token parsed without parseSpecial: %q", names(tk, got))
	}
	// User-defined tokens are split out even without parseSpecial.
	got = tk.Encode("a<tool>b", false, false)
	want = []int32{ids["▁a"], ids["<tool>"], ids["▁b"]}
	if !slices.Equal(got, want) {
		t.Errorf("user-defined: got %q, want %q", names(tk, got), names(tk, want))
	}
	if got := tk.Decode(got); got != "a<tool> b" {
		t.Errorf("Decode = %q", got)
	}
}

func TestSPMAddEOSAndNoPrefix(t *testing.T) {
	tk, ids := spmVocab(t, map[string]float32{"▁": -1, "a": -2, "▁a": -1})
	v := *tk.Vocab()
	v.AddEOS, v.AddSpacePrefix = true, false
	tk2, err := New(&v)
	if err != nil {
		t.Fatal(err)
	}
	got := tk2.Encode("a", true, false)
	if want := []int32{1, ids["a"], 2}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := tk2.Decode([]int32{ids["▁a"]}); got != " a" {
		t.Errorf("without space prefix Decode keeps the space: %q", got)
	}
}

func TestSPMDecode(t *testing.T) {
	tk, ids := spmVocab(t, map[string]float32{"▁": -1, "a": -2, "▁a": -1, "▁▁": -1})
	cases := []struct {
		ids  []int32
		want string
	}{
		{[]int32{ids["▁a"], ids["▁a"]}, "a a"},
		// Only one space goes, and only from the first token, even when it prints nothing.
		{[]int32{ids["▁▁"], ids["a"]}, " a"},
		{[]int32{1, ids["▁a"]}, " a"},
		{[]int32{ids["<0xC3>"], ids["<0xA9>"], 2, 0}, "é"},
		{[]int32{-1, 99999, ids["a"]}, "a"},
	}
	for _, c := range cases {
		if got := tk.Decode(c.ids); got != c.want {
			t.Errorf("Decode(%v) = %q, want %q", c.ids, got, c.want)
		}
	}
	if got := string(tk.Piece(ids["▁a"])); got != " a" {
		t.Errorf("Piece = %q", got)
	}
	if got := tk.Piece(ids["<0x0A>"]); !slices.Equal(got, []byte{'\n'}) {
		t.Errorf("byte Piece = %q", got)
	}
	if got := tk.Piece(1); len(got) != 0 {
		t.Errorf("control Piece = %q", got)
	}
	if tk.Piece(-1) != nil || tk.Piece(int32(tk.VocabSize())) != nil {
		t.Error("out-of-range Piece not nil")
	}
}

// TestSPMRoundTrip checks decode(encode(x)) == x for text the vocabulary covers by bytes.
func TestSPMRoundTrip(t *testing.T) {
	tk, _ := spmVocab(t, map[string]float32{"▁": -1, "a": -2, "▁a": -1, "▁▁": -1})
	for _, s := range []string{"a", " a", "  a  ", "\n", "héllo wörld", "\xff\xfe", "a\x00b"} {
		if got := tk.Decode(tk.Encode(s, false, false)); got != s {
			t.Errorf("round trip %q -> %q", s, got)
		}
	}
}

func TestPhi3StripsAfterSpecial(t *testing.T) {
	tk, ids := spmVocab(t, map[string]float32{"▁": -1, "a": -2, "b": -2, "▁a": -1, "▁b": -1}, "<x>")
	v := *tk.Vocab()
	v.modelName = "phi3"
	phi, err := New(&v)
	if err != nil {
		t.Fatal(err)
	}
	got := phi.Encode("a<x> \t b", false, false)
	if want := []int32{ids["▁a"], ids["<x>"], ids["▁b"]}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", names(phi, got), names(phi, want))
	}
	if got := tk.Encode("a<x> b", false, false); len(got) != 4 {
		t.Errorf("without the quirk the space stays: %q", names(tk, got))
	}
}

func TestNewErrors(t *testing.T) {
	base := func() *Vocab {
		return &Vocab{Model: "llama", Tokens: []string{"<unk>", "<s>", "</s>", "a"}, BOS: 1, EOS: 2,
			UNK: 0, PAD: -1, EOT: -1, AddBOS: true}
	}
	cases := []struct {
		name   string
		modify func(v *Vocab)
		want   error
	}{
		{"model", func(v *Vocab) { v.Model = "bert" }, ErrUnsupported},
		{"pre", func(v *Vocab) { v.Model, v.Pre = "gpt2", "nope" }, ErrUnsupported},
		{"empty", func(v *Vocab) { v.Tokens = nil }, ErrInvalid},
		{"scores", func(v *Vocab) { v.Scores = []float32{0} }, ErrInvalid},
		{"types", func(v *Vocab) { v.Types = []TokenType{1, 1, 1, 1, 1} }, ErrInvalid},
		{"bos range", func(v *Vocab) { v.BOS = 4 }, ErrInvalid},
		{"eot range", func(v *Vocab) { v.EOT = -2 }, ErrInvalid},
		{"bos missing", func(v *Vocab) { v.BOS = -1 }, ErrInvalid},
		{"eos missing", func(v *Vocab) { v.EOS, v.AddEOS = -1, true }, ErrInvalid},
		{"duplicate", func(v *Vocab) { v.Tokens[3] = "</s>" }, ErrInvalid},
	}
	for _, c := range cases {
		v := base()
		c.modify(v)
		if _, err := New(v); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := New(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil: %v", err)
	}
	if _, err := New(base()); err != nil {
		t.Errorf("valid vocabulary: %v", err)
	}
}
