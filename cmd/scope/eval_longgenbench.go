package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/scopekv/scope/eval"
	evalrun "github.com/scopekv/scope/eval/run"
	scope "github.com/scopekv/scope/runtime"
)

func init() {
	evalCommands["longgenbench"] = runEvalLongGenBench
}

// runEvalLongGenBench generates LongGenBench outputs greedily with a KV policy, resuming
// from the outputs already written, and scores them.
func runEvalLongGenBench(args []string) error {
	fs := newFlags("eval longgenbench")
	var mf modelFlags
	mf.register(fs)
	var kf kvFlags
	kf.register(fs)
	data := fs.String("data", "", "folder with gsm8k_30.jsonl, mmlu_30.jsonl, csqa_40.jsonl")
	subset := fs.String("subset", "all", "gsm8k, mmlu, csqa or all")
	limit := fs.Int("limit", 0, "prompts per subset (0 = all)")
	maxNew := fs.Int("max-new-tokens", 4096, "new tokens per prompt (T)")
	out := fs.String("o", "", "output folder: {subset}.jsonl (resumed when present), results.csv, results.md")
	method := fs.String("method", "", "row name in the results (default: PREFILL+DECODE)")
	fresh := fs.Bool("fresh", false, "discard outputs already in the folder instead of resuming")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	subsets, err := lgbSubsets(*subset)
	if err != nil {
		return err
	}
	switch {
	case *data == "":
		return fmt.Errorf("no data: pass --data DIR")
	case *out == "":
		return fmt.Errorf("no output folder: pass -o OUTDIR")
	case *maxNew <= 0:
		return fmt.Errorf("--max-new-tokens must be positive, got %d", *maxNew)
	case *limit < 0:
		return fmt.Errorf("--limit must be >= 0, got %d", *limit)
	}
	kvc, err := kf.config()
	if err != nil {
		return err
	}
	if *method == "" {
		*method = kvLabel(kvc)
	}
	if *fresh {
		for _, s := range subsets {
			if err := os.Remove(filepath.Join(*out, s+".jsonl")); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	m, err := mf.open()
	if err != nil {
		return err
	}
	defer m.Close()
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	res, err := evalrun.RunLongGenBench(ctx, m, evalrun.LongGenBenchOptions{Data: *data, Subsets: subsets,
		Limit: *limit, MaxNewTokens: *maxNew, OutDir: *out, Method: *method, Progress: os.Stderr, Meta: kvMeta(kvc),
		Session: scope.SessionOptions{KV: kvc, KVMemory: kf.memory(), PageSize: kf.pageSize}})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; run the same command again to resume: %w", err)
		}
		return err
	}
	return res.Table.WriteMarkdown(os.Stdout)
}

func lgbSubsets(s string) ([]string, error) {
	switch s {
	case "all":
		return []string{eval.GSM8K, eval.MMLU, eval.CSQA}, nil
	case eval.GSM8K, eval.MMLU, eval.CSQA:
		return []string{s}, nil
	}
	return nil, fmt.Errorf("--subset %q: want gsm8k, mmlu, csqa or all", s)
}
