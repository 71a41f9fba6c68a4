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
	evalCommands["fidelity"] = runEvalFidelity
}

// fidelityFlags are the flags of eval fidelity.
type fidelityFlags struct {
	mf        modelFlags
	kf        kvFlags
	gf        gridFlags
	prompts   stringList
	file, out string
	n, jobs   int
	ignoreEOS bool
	noBOS     bool
	sweep     bool
	probe     bool
	probeTop  float64
}

// runEvalFidelity compares a KV policy with the full cache on greedy generations: token
// agreement and the KL divergence of next-token distributions with the full-cache text
// forced. With --sweep it runs a grid of decode policies and budgets instead.
func runEvalFidelity(args []string) error {
	fs := newFlags("eval fidelity")
	var f fidelityFlags
	f.mf.register(fs)
	f.kf.register(fs)
	f.gf.register(fs, evalrun.FidelityGrid())
	fs.Var(&f.prompts, "prompt", "prompt text (repeatable)")
	fs.StringVar(&f.file, "prompts", "", "prompts file: JSONL with a prompt field, or one prompt per line")
	fs.IntVar(&f.n, "n", 256, "new tokens per prompt (T)")
	fs.BoolVar(&f.ignoreEOS, "ignore-eos", false, "keep generating past the end of text")
	fs.BoolVar(&f.noBOS, "no-bos", false, "do not add the BOS token")
	fs.BoolVar(&f.sweep, "sweep", false, "sweep decode policies x --decode-ratios x --recent instead of the --kv-* policy")
	fs.IntVar(&f.jobs, "j", 2, "configurations run at once (--sweep), each on its own model")
	fs.StringVar(&f.out, "o", "", "write fidelity.json (and charts with --sweep) into this folder")
	fs.BoolVar(&f.probe, "probe-heavy-hitters", false, "also run the heavy-hitter drift probe (full cache) on the prompts")
	fs.Float64Var(&f.probeTop, "probe-top", 0.15, "fraction of keys in the probe's top set")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	prompts, err := readPrompts(f.prompts.vals, f.file)
	if err != nil {
		return err
	}
	if len(prompts) == 0 {
		return fmt.Errorf("no prompts: pass --prompt TEXT or --prompts FILE")
	}
	if f.n <= 0 {
		return fmt.Errorf("-n must be positive, got %d", f.n)
	}
	if err := requireModel(f.mf.model); err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	opts := evalrun.FidelityOptions{MaxTokens: f.n, IgnoreEOS: f.ignoreEOS, NoBOS: f.noBOS}
	var sw *evalrun.FidelitySweep
	if f.sweep {
		sw, err = f.runSweep(ctx, prompts, opts)
	} else {
		sw, err = f.runOne(ctx, prompts, opts)
	}
	if err != nil {
		return err
	}
	evalrun.WriteFidelitySummary(os.Stdout, sw)
	if err := f.write(sw); err != nil {
		return err
	}
	if f.probe {
		return runProbe(ctx, &f.mf, nil, prompts, probeOptions{n: f.n, top: f.probeTop, noBOS: f.noBOS, out: f.out})
	}
	return nil
}

func (f *fidelityFlags) runSweep(ctx context.Context, prompts []string, opts evalrun.FidelityOptions) (*evalrun.FidelitySweep, error) {
	g, err := f.gf.grid()
	if err != nil {
		return nil, err
	}
	g.PrefillMethods, g.Plugins = nil, nil // the decode phase is what fidelity measures
	return evalrun.SweepFidelity(ctx, evalrun.FidelitySweepOptions{Model: f.mf.model, Prompts: prompts,
		Fidelity: opts, Grid: g, Workers: f.jobs, Open: sweepOpener(&f.mf), Progress: os.Stderr})
}

// runOne measures the --kv-* policy (the plain full cache compares with itself).
func (f *fidelityFlags) runOne(ctx context.Context, prompts []string, opts evalrun.FidelityOptions) (*evalrun.FidelitySweep, error) {
	kvc, err := f.kf.config()
	if err != nil {
		return nil, err
	}
	if kvc == nil {
		c := kvscope.DefaultConfig()
		kvc = &c
	}
	m, err := f.mf.open()
	if err != nil {
		return nil, err
	}
	defer m.Close()
	spec := evalrun.Spec{Name: kvLabel(kvc), Prefill: kvc.Prefill.String(), Decode: kvc.Decode.String(), Recent: kvc.Recent, KV: kvc}
	r, err := evalrun.RunFidelity(ctx, m, spec, prompts, opts)
	if err != nil {
		return nil, err
	}
	n := len(m.Tokenizer().Encode(prompts[0], !opts.NoBOS, false))
	return &evalrun.FidelitySweep{Model: filepath.Base(f.mf.model), Prompts: len(prompts), PromptLen: n,
		MaxTokens: opts.MaxTokens, Runs: []evalrun.FidelityRun{r}}, nil
}

// write saves the JSON and, for a sweep, the charts.
func (f *fidelityFlags) write(sw *evalrun.FidelitySweep) error {
	if f.out == "" {
		return nil
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	path := filepath.Join(f.out, "fidelity.json")
	if err := evalrun.WriteJSON(path, sw); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "scope: wrote %s\n", path)
	if !f.sweep {
		return nil
	}
	base, err := evalrun.FidelityCharts(sw, filepath.Join(f.out, "charts"))
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "scope: wrote %s.png and .svg\n", base)
	return nil
}
