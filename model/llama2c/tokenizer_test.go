package llama2c

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model/gguf"
)

func TestTok512(t *testing.T) {
	v, err := OpenTokenizer(testdata.Path(t, "llama2c", "tok512.bin"), 512)
	if err != nil {
		t.Fatal(err)
	}
	if v.MaxTokenLength != 7 || len(v.Tokens) != 512 || len(v.Scores) != 512 {
		t.Fatalf("max %d, %d tokens, %d scores", v.MaxTokenLength, len(v.Tokens), len(v.Scores))
	}
	for id, want := range map[int]string{0: "<unk>", 1: "\n<s>\n", 2: "\n</s>\n", 3: "<0x00>", 258: "<0xFF>",
		259: " t", 260: "he", 261: " a"} {
		if string(v.Tokens[id]) != want {
			t.Errorf("token %d = %q, want %q", id, v.Tokens[id], want)
		}
	}
	for id := 259; id < 512; id++ {
		if v.Scores[id] != -float32(id-259) {
			t.Fatalf("score %d = %v, want %d", id, v.Scores[id], -(id - 259))
		}
		if len(v.Tokens[id]) > v.MaxTokenLength {
			t.Fatalf("token %d longer than the maximum", id)
		}
	}
	for _, wrong := range []int{511, 513} {
		if _, err := OpenTokenizer(testdata.Path(t, "llama2c", "tok512.bin"), wrong); !errors.Is(err, ErrFormat) {
			t.Errorf("vocab size %d: %v", wrong, err)
		}
	}
}

// TestLlama2Tokenizer compares tokenizer.bin with the same vocabulary in GGUF form, undoing
// llama2.c's export conventions (U+2581 became a space, BOS/EOS gained newlines).
func TestLlama2Tokenizer(t *testing.T) {
	v, err := OpenTokenizer(testdata.Path(t, "llama2c", "tokenizer.bin"), 32000)
	if err != nil {
		t.Fatal(err)
	}
	if v.MaxTokenLength != 27 || len(v.Tokens) != 32000 {
		t.Fatalf("max %d, %d tokens", v.MaxTokenLength, len(v.Tokens))
	}
	f, err := gguf.Open(testdata.Path(t, "tokenizer", "ggml-vocab-llama-spm.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tokens, _ := f.Strings("tokenizer.ggml.tokens")
	scores, _ := f.Float32s("tokenizer.ggml.scores")
	for i, tok := range tokens {
		want := strings.ReplaceAll(tok, "\u2581", " ")
		if i == 1 || i == 2 {
			want = "\n" + tok + "\n"
		}
		if string(v.Tokens[i]) != want || math.Float32bits(v.Scores[i]) != math.Float32bits(scores[i]) {
			t.Fatalf("token %d: %q %v, want %q %v", i, v.Tokens[i], v.Scores[i], want, scores[i])
		}
	}
}

// makeTokenizer writes a tokenizer file with the given tokens; token i has score -i.
func makeTokenizer(maxLen uint32, tokens ...string) []byte {
	out := binary.LittleEndian.AppendUint32(nil, maxLen)
	for i, tok := range tokens {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(-float32(i)))
		out = binary.LittleEndian.AppendUint32(out, uint32(len(tok)))
		out = append(out, tok...)
	}
	return out
}

func TestTokenizerSmall(t *testing.T) {
	v, err := ReadTokenizer(makeTokenizer(3, "a", "", "xyz"), 3)
	if err != nil {
		t.Fatal(err)
	}
	if string(v.Tokens[0]) != "a" || len(v.Tokens[1]) != 0 || string(v.Tokens[2]) != "xyz" || v.Scores[2] != -2 {
		t.Errorf("parsed %q %v", v.Tokens, v.Scores)
	}
	if cap(v.Tokens[0]) != 1 {
		t.Error("token slices are not capped: appending to one would overwrite the next")
	}
}

func TestTokenizerErrors(t *testing.T) {
	good := makeTokenizer(3, "a", "bc", "xyz")
	negLen := bytes.Clone(good)
	binary.LittleEndian.PutUint32(negLen[8:], math.MaxUint32)
	negMax := bytes.Clone(good)
	binary.LittleEndian.PutUint32(negMax, math.MaxUint32)
	cases := []struct {
		name   string
		data   []byte
		vocab  int
		offset int64
		msg    string
	}{
		{"empty", nil, 3, 0, "header"},
		{"max length beyond file", makeTokenizer(1000, "a"), 1, 0, "max_token_length"},
		{"negative max length", negMax, 3, 0, "max_token_length -1 is negative"},
		{"too many tokens", good, 100, 4, "100 tokens"},
		{"negative length", negLen, 3, 8, "length -1"},
		{"length above max", makeTokenizer(1, "a", "bc", "xyz"), 3, 17, "length 2"},
		{"truncated token", good[:len(good)-1], 3, 31, "token 2"},
		{"truncated entry", good[:len(good)-5], 2, 23, "trailing"},
		{"trailing bytes", append(bytes.Clone(good), 7), 3, int64(len(good)), "trailing"},
		{"entry header cut", append(makeTokenizer(3, "a", "bc", "xyz"), 1, 2), 4, 34, "entry needs 8 bytes"},
	}
	for _, c := range cases {
		_, err := ReadTokenizer(c.data, c.vocab)
		var e *Error
		switch {
		case err == nil:
			t.Errorf("%s: accepted", c.name)
		case !errors.As(err, &e) || !errors.Is(err, ErrFormat):
			t.Errorf("%s: %v is not a llama2c *Error", c.name, err)
		case e.Offset != c.offset || !strings.Contains(e.Msg, c.msg):
			t.Errorf("%s: %v; want offset %d and %q", c.name, err, c.offset, c.msg)
		}
	}
	if _, err := ReadTokenizer(good, 0); err == nil || errors.Is(err, ErrFormat) {
		t.Errorf("vocab size 0: %v, want a non-format error", err)
	}
}
