package main

import (
	"testing"

	evalrun "github.com/scopekv/scope/eval/run"
	"github.com/scopekv/scope/scope"
)

func TestKVFlagsBudgetAndScore(t *testing.T) {
	var f kvFlags
	fs := newFlags("t")
	f.register(fs)
	err := fs.Parse([]string{"--kv-decode", "adaptive", "--kv-decode-budget", "64", "--kv-recent", "16",
		"--kv-cap-budget", "--kv-expected-tokens", "300", "--kv-score", "window", "--kv-score-window", "5"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.config()
	if err != nil {
		t.Fatal(err)
	}
	if !c.CapBudget || c.ExpectedTokens != 300 || c.Score != scope.ScoreWindowMax || c.ScoreWindow != 5 {
		t.Errorf("config %+v", c)
	}
	f = kvFlags{}
	fs = newFlags("t")
	f.register(fs)
	if err := fs.Parse([]string{"--kv-decode", "slide", "--kv-score", "sum"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.config(); err == nil {
		t.Error("unknown --kv-score accepted")
	}
}

func TestGridFlags(t *testing.T) {
	var f gridFlags
	fs := newFlags("t")
	f.register(fs, evalrun.DefaultGrid())
	err := fs.Parse([]string{"--gqa-modes", "group,faithful", "--decode-scores", "decay:0.9,window:6",
		"--equal-peak=false", "--cap-budget", "--expected-ratio", "0.5", "--pyramid-equal-mean=false"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.grid()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.GQAModes) != 2 || len(g.DecodeScores) != 2 || g.EqualPeak || !g.CapBudget || g.ExpectedRatio != 0.5 || g.PyramidMean {
		t.Errorf("grid %+v", g)
	}
	for _, bad := range [][]string{{"--decode-scores", "decay:2"}, {"--decode-scores", "window:x"}, {"--gqa-modes", "pairs"}} {
		f = gridFlags{}
		fs = newFlags("t")
		f.register(fs, evalrun.DefaultGrid())
		if err := fs.Parse(bad); err != nil {
			t.Fatal(err)
		}
		if _, err := f.grid(); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
