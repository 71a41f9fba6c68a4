package tokenizer

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model/gguf"
)

func vocabPath(t *testing.T, name string) string {
	return testdata.Path(t, "tokenizer", "ggml-vocab-"+name+".gguf")
}

func parseIDs(t *testing.T, s string) []int32 {
	t.Helper()
	var ids []int32
	for _, f := range strings.Fields(s) {
		id, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, int32(id))
	}
	return ids
}

// TestLlama2Facts checks llama2.c's test.c expectations for the Llama 2 tokenizer (testdata
// README section 6) with llama.cpp's copy of the same vocabulary, encoding with BOS.
func TestLlama2Facts(t *testing.T) {
	tk := openVocab(t, vocabPath(t, "llama-spm"))
	cases := []struct{ text, want string }{
		{"", "1"},
		{"I believe the meaning of life is", "1 306 4658 278 6593 310 2834 338"},
		{"Simply put, the theory of relativity states that ", "1 3439 17632 1925 29892 278 6368 310 14215 537 5922 393 29871"},
		{"A brief message congratulating the team on the launch:\n\n        Hi everyone,\n\n        I just ",
			"1 319 11473 2643 378 629 271 18099 278 3815 373 278 6826 29901 13 13 4706 6324 14332 29892 13 13 4706 306 925 29871"},
		{"Translate English to French:\n\n        sea otter => loutre de mer\n        peppermint => menthe poivrée\n        plush girafe => girafe peluche\n        cheese =>",
			"1 4103 9632 4223 304 5176 29901 13 13 4706 7205 4932 357 1149 301 449 276 316 2778 13 4706 1236 407 837 524 1149 6042 354 772 440 29878 1318 13 4706 715 1878 330 3055 1725 1149 330 3055 1725 4639 28754 13 4706 923 968 1149"},
	}
	for _, c := range cases {
		got := tk.Encode(c.text, true, false)
		if want := parseIDs(t, c.want); !slices.Equal(got, want) {
			t.Errorf("%q:\n got  %v\n want %v", c.text, got, want)
		}
		if dec := tk.Decode(got[1:]); dec != c.text {
			t.Errorf("Decode = %q, want %q", dec, c.text)
		}
	}
}

func TestFromGGUFKeys(t *testing.T) {
	cases := []struct {
		name                string
		bos, eos            int32
		addBOS, spacePrefix bool
		eog                 []int32
		notEOG              []int32
	}{
		{"llama-spm", 1, 2, true, true, []int32{2}, []int32{1, 0, 13}},
		{"phi-3", 1, 32000, true, true, []int32{32000, 32007}, []int32{1, 2, 32001}},
		{"gpt-2", 50256, 50256, false, false, []int32{50256}, []int32{0}},
		{"deepseek-coder", 32013, 32014, true, false, []int32{32014}, []int32{32013}},
		{"refact", 0, 0, false, false, []int32{0, 4}, []int32{1, 5}},
	}
	for _, c := range cases {
		tk := openVocab(t, vocabPath(t, c.name))
		v := tk.Vocab()
		if tk.BOS() != c.bos || tk.EOS() != c.eos || v.AddBOS != c.addBOS || v.AddSpacePrefix != c.spacePrefix {
			t.Errorf("%s: BOS %d EOS %d AddBOS %v AddSpacePrefix %v", c.name, tk.BOS(), tk.EOS(), v.AddBOS, v.AddSpacePrefix)
		}
		for _, id := range c.eog {
			if !tk.IsEOG(id) {
				t.Errorf("%s: %d (%q) should end generation", c.name, id, v.Tokens[id])
			}
		}
		for _, id := range c.notEOG {
			if tk.IsEOG(id) {
				t.Errorf("%s: %d (%q) should not end generation", c.name, id, v.Tokens[id])
			}
		}
	}
}

func TestFromGGUFUnsupported(t *testing.T) {
	f, err := gguf.Open(vocabPath(t, "bert-bge"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := FromGGUF(f); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "bert") {
		t.Errorf("bert vocabulary: %v", err)
	}
}

// fakeMetadata is an in-memory metadata store for the defaults tests.
type fakeMetadata map[string]any

func (m fakeMetadata) String(k string) (string, bool)      { v, ok := m[k].(string); return v, ok }
func (m fakeMetadata) Uint(k string) (uint64, bool)        { v, ok := m[k].(uint64); return v, ok }
func (m fakeMetadata) Bool(k string) (bool, bool)          { v, ok := m[k].(bool); return v, ok }
func (m fakeMetadata) Strings(k string) ([]string, bool)   { v, ok := m[k].([]string); return v, ok }
func (m fakeMetadata) Float32s(k string) ([]float32, bool) { v, ok := m[k].([]float32); return v, ok }
func (m fakeMetadata) Int32s(k string) ([]int32, bool)     { v, ok := m[k].([]int32); return v, ok }

func TestMetadataDefaults(t *testing.T) {
	toks := make([]string, 20)
	for i := range toks {
		toks[i] = "t" + strconv.Itoa(i)
	}
	spm := fakeMetadata{"tokenizer.ggml.model": "llama", "tokenizer.ggml.tokens": toks,
		"tokenizer.ggml.scores": []int32{}, "general.name": "Phi-3 Mini"}
	if _, err := vocabFromMetadata(spm); !errors.Is(err, ErrInvalid) {
		t.Errorf("short scores: %v", err)
	}
	delete(spm, "tokenizer.ggml.scores")
	v, err := vocabFromMetadata(spm)
	if err != nil {
		t.Fatal(err)
	}
	if v.BOS != 1 || v.EOS != 2 || v.UNK != 0 || v.PAD != -1 || !v.AddBOS || v.AddEOS || !v.AddSpacePrefix || v.modelName != "phi-3 mini" {
		t.Errorf("llama defaults: %+v", v)
	}
	bpe := fakeMetadata{"tokenizer.ggml.model": "gpt2", "tokenizer.ggml.pre": "llama-bpe", "tokenizer.ggml.tokens": toks,
		"tokenizer.ggml.merges": []string{"t 1"}, "tokenizer.ggml.eos_token_id": uint64(19),
		"tokenizer.ggml.bos_token_id": uint64(99), "tokenizer.ggml.add_space_prefix": true}
	// A BOS or EOS id outside the vocabulary is reported; a padding id there is ignored.
	if _, err := vocabFromMetadata(bpe); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "bos_token_id = 99") {
		t.Errorf("BOS 99 of 20: %v", err)
	}
	delete(bpe, "tokenizer.ggml.bos_token_id")
	bpe["tokenizer.ggml.padding_token_id"] = uint64(20)
	v, err = vocabFromMetadata(bpe)
	if err != nil {
		t.Fatal(err)
	}
	if v.BOS != 11 || v.EOS != 19 || v.UNK != -1 || v.PAD != -1 || !v.AddBOS || !v.AddSpacePrefix {
		t.Errorf("gpt2 defaults: %+v", v)
	}
	bpe["tokenizer.ggml.eos_token_id"] = uint64(20)
	if _, err := vocabFromMetadata(bpe); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "eos_token_id = 20") {
		t.Errorf("EOS 20 of 20: %v", err)
	}
	bpe["tokenizer.ggml.eos_token_id"] = uint64(19)
	delete(bpe, "tokenizer.ggml.merges")
	if _, err := vocabFromMetadata(bpe); !errors.Is(err, ErrInvalid) {
		t.Errorf("missing merges: %v", err)
	}
	if _, err := vocabFromMetadata(fakeMetadata{"tokenizer.ggml.model": "t5"}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("t5: %v", err)
	}
	if _, err := vocabFromMetadata(fakeMetadata{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no model: %v", err)
	}
}

func TestMetadataTokensArray(t *testing.T) {
	md := fakeMetadata{"tokenizer.ggml.model": "llama"}
	_, err := vocabFromMetadata(md)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "no tokenizer.ggml.tokens") {
		t.Errorf("missing: %v", err)
	}
	md["tokenizer.ggml.tokens"] = []string{}
	_, err = vocabFromMetadata(md)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "tokens array is empty") {
		t.Errorf("empty: %v", err)
	}
}

func TestNaNScoreRejected(t *testing.T) {
	v := &Vocab{Model: "llama", Tokens: []string{"<unk>", "<s>", "</s>", "a"}, Scores: []float32{0, 0, 0, float32(math.NaN())},
		BOS: 1, EOS: 2, UNK: 0, PAD: -1, EOT: -1}
	if _, err := New(v); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "token 3 has a NaN score") {
		t.Errorf("NaN score: %v", err)
	}
	v.Scores[3] = -1
	if _, err := New(v); err != nil {
		t.Errorf("finite scores: %v", err)
	}
}
