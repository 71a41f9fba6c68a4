package tests

import (
	"testing"

	"github.com/scopekv/scope/internal/testdata"
	scope "github.com/scopekv/scope/runtime"
)

// goldenCases are llama2.c run.c outputs for stories260K (testdata README §4). run.c's -n
// counts positions including the prompt; MaxTokens counts new tokens.
var goldenCases = []struct {
	file, prompt string
	maxTokens    int
	sampling     scope.Sampling
}{
	{"stories260K_t0_n200.txt", "", 200, scope.Greedy},
	{"stories260K_t0_n256.txt", "", 256, scope.Greedy},
	{"stories260K_t0_n64_prompt-once-upon-a-time.txt", "Once upon a time", 60, scope.Greedy},
	{"stories260K_t1_p0.9_s133742_n256.txt", "", 256, scope.Sampling{Temperature: 1, TopP: 0.9, Seed: 133742}},
}

func TestGoldenStories260K(t *testing.T) {
	dir := testdata.Dir(t)
	files := map[string][]string{
		"gguf":    {dir + "/gguf/stories260K.gguf"},
		"llama2c": {dir + "/llama2c/stories260K.bin", dir + "/llama2c/tok512.bin"},
	}
	for _, be := range backends(t) {
		for format, path := range files {
			t.Run(be+"/"+format, func(t *testing.T) {
				m := openModel(t, be, path...)
				for _, c := range goldenCases {
					want := readRef(t, c.file)
					got, _ := generate(t, m, c.prompt, scope.GenerateOptions{MaxTokens: c.maxTokens, Sampling: c.sampling})
					if got != want {
						t.Errorf("%s: output differs\n got: %q\nwant: %q", c.file, got, want)
					}
				}
			})
		}
	}
}
