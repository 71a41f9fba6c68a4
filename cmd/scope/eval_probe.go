package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	evalrun "github.com/scopekv/scope/eval/run"
	kvscope "github.com/scopekv/scope/scope"
)

func init() {
	evalCommands["probe"] = runEvalProbe
}

type probeOptions struct {
	n             int
	steps, layers []int
	top           float64
	recent        int
	noBOS         bool
	out           string
}

// runEvalProbe measures heavy-hitter drift (claim C2): at chosen decode steps and layers,
// the share of the top keys of the head-averaged current-query attention that lie in the
// decoded region, and their overlap with step 1's top keys.
func runEvalProbe(args []string) error {
	fs := newFlags("eval probe")
	var mf modelFlags
	mf.register(fs)
	var kf kvFlags
	kf.register(fs)
	var prompts stringList
	fs.Var(&prompts, "prompt", "prompt text (repeatable)")
	file := fs.String("prompts", "", "prompts file: JSONL with a prompt field, or one prompt per line")
	limit := fs.Int("limit", 0, "use the first N prompts (0 = all)")
	n := fs.Int("n", 256, "new tokens per prompt (T)")
	steps := fs.String("steps", "", "decode steps to probe (default 1, T/8, T/4, T/2)")
	layers := fs.String("layers", "", "layers to probe (default first, middle, last)")
	top := fs.Float64("top", 0.15, "fraction of resident keys in the top set")
	recent := fs.Int("recent", 32, "also report the share of top keys among this many newest positions")
	noBOS := fs.Bool("no-bos", false, "do not add the BOS token")
	out := fs.String("o", "", "write drift.json and the chart into this folder")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	ps, err := readPrompts(prompts.vals, *file)
	if err != nil {
		return err
	}
	if *limit > 0 && len(ps) > *limit {
		ps = ps[:*limit]
	}
	if len(ps) == 0 {
		return fmt.Errorf("no prompts: pass --prompt TEXT or --prompts FILE")
	}
	o := probeOptions{n: *n, top: *top, recent: *recent, noBOS: *noBOS, out: *out}
	if o.steps, err = parseInts("steps", *steps); err != nil {
		return err
	}
	if o.layers, err = parseInts("layers", *layers); err != nil {
		return err
	}
	kvc, err := kf.config()
	if err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	return runProbe(ctx, &mf, kvc, ps, o)
}

// runProbe runs the drift probe, prints its table and writes the JSON and chart.
func runProbe(ctx context.Context, mf *modelFlags, kvc *kvscope.Config, prompts []string, o probeOptions) error {
	if o.n <= 0 {
		return fmt.Errorf("-n must be positive, got %d", o.n)
	}
	m, err := mf.open()
	if err != nil {
		return err
	}
	defer m.Close()
	d, err := evalrun.RunDrift(ctx, m, prompts, evalrun.DriftOptions{MaxTokens: o.n, Steps: o.steps,
		Layers: o.layers, Top: o.top, Recent: o.recent, KV: kvc, NoBOS: o.noBOS})
	if err != nil {
		return err
	}
	name := modelStem(mf.model)
	fmt.Printf("heavy-hitter drift, %s, %s, top %g%% of resident keys, %d prompt(s), prompt tokens %v, generated %v\n\n",
		name, kvLabel(kvc), 100*d.Top, d.Prompts, d.PromptLens, d.Generated)
	evalrun.WriteDriftTable(os.Stdout, d)
	if o.out == "" {
		return nil
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	if err := evalrun.WriteJSON(filepath.Join(o.out, name+"_drift.json"), d); err != nil {
		return err
	}
	base := filepath.Join(o.out, name+"_drift")
	if err := evalrun.DriftChart(d, fmt.Sprintf("%s, %s", name, kvLabel(kvc)), base); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "scope: wrote %s.json, .png and .svg\n", base)
	return nil
}
