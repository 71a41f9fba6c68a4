package tokenizer

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
)

// suiteCase is one test string of llama.cpp's tokenizer suite with its expected ids.
type suiteCase struct {
	text string
	want []int32
}

// readSuite reads <base>.inp and <base>.out (format in testdata README section 3).
func readSuite(t *testing.T, base string) []suiteCase {
	t.Helper()
	inp, err := os.ReadFile(base + ".inp")
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(base + ".out")
	if err != nil {
		t.Fatal(err)
	}
	texts := strings.Split(string(inp), "\n__ggml_vocab_test__\n")
	if texts[len(texts)-1] != "" {
		t.Fatalf("%s.inp does not end with the separator", base)
	}
	texts = texts[:len(texts)-1]
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(texts) {
		t.Fatalf("%s: %d inputs, %d outputs", base, len(texts), len(lines))
	}
	cases := make([]suiteCase, len(texts))
	for i, line := range lines {
		cases[i].text = texts[i]
		for _, f := range strings.Fields(line) {
			id, err := strconv.ParseInt(f, 10, 32)
			if err != nil {
				t.Fatalf("%s.out line %d: %v", base, i+1, err)
			}
			cases[i].want = append(cases[i].want, int32(id))
		}
	}
	return cases
}

var suiteVocabs = []string{"llama-spm", "phi-3", "gpt-2", "deepseek-coder", "deepseek-llm",
	"falcon", "mpt", "starcoder", "refact", "llama-bpe", "qwen2"}

func TestLlamaCppSuites(t *testing.T) {
	dir := testdata.Path(t, "tokenizer")
	for _, name := range suiteVocabs {
		t.Run(name, func(t *testing.T) {
			base := filepath.Join(dir, "ggml-vocab-"+name+".gguf")
			runSuite(t, cachedVocab(t, name), readSuite(t, base))
		})
	}
}

func runSuite(t *testing.T, tk *Tokenizer, cases []suiteCase) {
	t.Helper()
	for i, c := range cases {
		got := tk.Encode(c.text, false, false)
		if !equalIDs(got, c.want) {
			t.Errorf("case %d %q:\n got  %v\n want %v", i, c.text, got, c.want)
			continue
		}
		want := c.text
		if !tk.spm && tk.pre.cleanSpaces {
			want = string(cleanSpaces([]byte(want)))
		}
		if dec := tk.Decode(got); dec != want {
			t.Errorf("case %d: Decode = %q, want %q", i, dec, want)
		}
	}
}

func equalIDs(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
