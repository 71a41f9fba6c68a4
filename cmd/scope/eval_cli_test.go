package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/scopekv/scope/eval"
	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
)

func tinyModel(t *testing.T) string {
	t.Helper()
	w, err := model.Synth(model.SynthOptions{Shape: "tiny", Type: quant.F32, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func runCLI(t *testing.T, args ...string) {
	t.Helper()
	var stderr bytes.Buffer
	if rc := run(args, &stderr); rc != 0 {
		t.Fatalf("scope %v: exit %d: %s", args, rc, stderr.String())
	}
}

// TestEvalLongGenBenchCLI runs one GSM8K+ prompt on a tiny model, then resumes with two.
func TestEvalLongGenBenchCLI(t *testing.T) {
	data := testdata.Path(t, "longgenbench")
	m, out := tinyModel(t), t.TempDir()
	args := []string{"eval", "longgenbench", "-m", m, "--backend", "cpu", "-t", "1", "-c", "192", "--data", data,
		"--subset", "gsm8k", "--max-new-tokens", "4", "-o", out, "--kv-decode", "slide", "--kv-decode-budget", "3",
		"--kv-recent", "2"}
	runCLI(t, append(args, "--limit", "1")...)
	runCLI(t, append(args, "--limit", "2")...)
	recs, err := eval.ReadOutputs(filepath.Join(out, "gsm8k.jsonl"))
	if err != nil || len(recs) != 2 || recs[0].Index == recs[1].Index {
		t.Fatalf("%d records (err %v), want two distinct prompts", len(recs), err)
	}
	if recs[0].Meta["kv"] != "full+slide" {
		t.Errorf("meta %v, want kv full+slide", recs[0].Meta)
	}
	for _, f := range []string{"results.csv", "results.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestEvalSweepFidelityProbeCLI runs the other new subcommands on a tiny model.
func TestEvalSweepFidelityProbeCLI(t *testing.T) {
	m, out := tinyModel(t), t.TempDir()
	tasks, err := eval.GenerateRecall(4, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	set := filepath.Join(out, "set.jsonl")
	if err := eval.SaveRecall(set, tasks); err != nil {
		t.Fatal(err)
	}
	runCLI(t, "eval", "sweep", "-m", m, "--data", set, "-o", filepath.Join(out, "sweep"), "--prefill-methods", "snapkv",
		"--prefill-ratios", "0.5", "--policies", "slide,h2o", "--decode-ratios", "1/4", "--recent", "1",
		"--plugins", "h2o+slide", "--plugin-recent", "1")
	runCLI(t, "eval", "fidelity", "-m", m, "--backend", "cpu", "--prompt", "abc", "-n", "12", "--kv-decode", "slide",
		"--kv-decode-budget", "4", "--kv-recent", "2", "-o", filepath.Join(out, "fid"))
	runCLI(t, "eval", "fidelity", "-m", m, "--prompt", "abc", "-n", "12", "--sweep", "--policies", "slide",
		"--decode-ratios", "0.5", "--recent", "2", "-o", filepath.Join(out, "fids"))
	runCLI(t, "eval", "probe", "-m", m, "--backend", "cpu", "--prompt", "abc", "-n", "16", "-o", filepath.Join(out, "probe"))
	for _, f := range []string{"sweep/sweep.json", "sweep/summary.md", "sweep/charts/tiny_k4_decode.png",
		"fid/fidelity.json", "fids/charts/tiny_fidelity.png", "probe/tiny_drift.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}
