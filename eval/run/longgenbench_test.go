package run

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopekv/scope/eval"
	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/runtime"
)

// TestLongGenBenchResume generates one GSM8K+ prompt on a tiny model (its prompt cut to the
// context), then resumes with a larger limit after a torn write: only the missing prompt
// is generated, the first record is kept, and the results table covers both.
func TestLongGenBenchResume(t *testing.T) {
	data := testdata.Path(t, "longgenbench")
	m, err := runtime.Open(synthModel(t), runtime.Config{Backend: "cpu", Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	out := t.TempDir()
	o := LongGenBenchOptions{Data: data, Subsets: []string{eval.GSM8K}, Limit: 1, MaxNewTokens: 6, OutDir: out,
		Method: "tiny", Session: runtime.SessionOptions{ContextLen: 256}, Progress: io.Discard}
	res, err := RunLongGenBench(context.Background(), m, o)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(out, "gsm8k.jsonl")
	recs, err := eval.ReadOutputs(path)
	if err != nil || len(recs) != 1 {
		t.Fatalf("after the first run: %d records, err %v", len(recs), err)
	}
	first := recs[0]
	if first.Meta["truncated_from_tokens"] == nil || first.Meta["prompt_tokens"].(float64) > 250 {
		t.Errorf("prompt not cut to the context: meta %v", first.Meta)
	}
	if s := res.Scores[eval.GSM8K].Score; s < 0 || s > 100 {
		t.Errorf("score %g outside [0, 100]", s)
	}
	// A torn line from an interrupted write, then a resumed run with two prompts.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"prompt": "cut sh`)
	f.Close()
	o.Limit = 2
	if _, err := RunLongGenBench(context.Background(), m, o); err != nil {
		t.Fatal(err)
	}
	recs, err = eval.ReadOutputs(path)
	if err != nil || len(recs) != 2 {
		t.Fatalf("after resuming: %d records, err %v", len(recs), err)
	}
	if recs[0].Pred != first.Pred || recs[0].Index != first.Index || recs[1].Index == first.Index {
		t.Errorf("resume rewrote or repeated a prompt: indices %d, %d", recs[0].Index, recs[1].Index)
	}
	csv, err := os.ReadFile(filepath.Join(out, "results.csv"))
	if err != nil || !strings.HasPrefix(string(csv), "dataset,gsm8k\r\ntiny,") {
		t.Errorf("results.csv = %q, err %v", csv, err)
	}
	if _, err := os.Stat(filepath.Join(out, "results.md")); err != nil {
		t.Error(err)
	}
}

func TestFitPrompt(t *testing.T) {
	m, err := runtime.Open(synthModel(t), runtime.Config{Backend: "cpu", Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tok := m.Tokenizer()
	text := strings.Repeat("abcdefghij", 31) + "END"
	if got, orig, n, err := FitPrompt(tok, "short", 100, true); err != nil || got != "short" || orig != n {
		t.Errorf("short prompt changed: %q %d %d %v", got, orig, n, err)
	}
	got, orig, n, err := FitPrompt(tok, text, 57, true)
	if err != nil {
		t.Fatal(err)
	}
	if n > 57 || n < 50 || orig <= 57 || !strings.HasPrefix(got, "abcde") || !strings.HasSuffix(got, "END") {
		t.Errorf("cut prompt %q: %d tokens of %d, want 50..57 with both ends", got, n, orig)
	}
	if _, _, _, err := FitPrompt(tok, text, 1, true); err == nil {
		t.Error("a limit of one token should fail")
	}
}
