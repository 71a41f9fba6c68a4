package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	evalrun "github.com/scopekv/scope/eval/run"
)

func init() {
	evalCommands["sweep"] = runEvalSweep
}

// runEvalSweep runs the recall task over prefill methods x decode policies x budgets for
// every model and set, and writes sweep.json, summary.md and charts. Each finished run is
// appended to runs.jsonl at once, and a second run of the command resumes from it.
func runEvalSweep(args []string) error {
	fs := newFlags("eval sweep")
	var mf modelFlags
	mf.register(fs)
	var gf gridFlags
	gf.register(fs, evalrun.DefaultGrid())
	models := stringList{split: true}
	fs.Var(&models, "models", "model files (comma-separated or repeated; -m adds one)")
	sets := stringList{split: true}
	fs.Var(&sets, "data", "recall sets, JSONL (comma-separated or repeated)")
	limit := fs.Int("limit", 0, "prompts per set (0 = all)")
	jobs := fs.Int("j", 2, "configurations run at once, each on its own model")
	out := fs.String("o", "", "output folder: runs.jsonl (each run as it finishes; resumed when present), sweep.json, summary.md, charts/")
	fresh := fs.Bool("fresh", false, "discard the runs already in the output folder instead of resuming")
	replot := fs.String("replot", "", "draw the summary and charts of this sweep.json again instead of running")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *replot != "" {
		if *out == "" {
			return fmt.Errorf("no output folder: pass -o OUTDIR")
		}
		sw, err := evalrun.ReadRecallSweep(*replot)
		if err != nil {
			return err
		}
		return writeSweep(sw, sw.Grid, *out)
	}
	if mf.model != "" {
		models.vals = append([]string{mf.model}, models.vals...)
	}
	switch {
	case len(models.vals) == 0:
		return fmt.Errorf("no model: pass -m MODEL or --models A,B")
	case len(sets.vals) == 0:
		return fmt.Errorf("no data: pass --data SET.jsonl[,SET2.jsonl]")
	case *out == "":
		return fmt.Errorf("no output folder: pass -o OUTDIR")
	case *jobs < 1:
		return fmt.Errorf("-j must be positive, got %d", *jobs)
	}
	g, err := gf.grid()
	if err != nil {
		return err
	}
	journal, err := sweepJournal(*out, *fresh)
	if err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	sw, err := evalrun.SweepRecall(ctx, evalrun.RecallSweepOptions{Models: models.vals, Sets: sets.vals,
		Limit: *limit, Grid: g, Workers: *jobs, Open: sweepOpener(&mf), Progress: os.Stderr, Journal: journal})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; finished runs are in %s, run the same command again to resume: %w", journal, err)
		}
		return err
	}
	return writeSweep(sw, g, *out)
}

// sweepJournal makes the output folder and returns its journal of finished runs, removed
// first with --fresh.
func sweepJournal(out string, fresh bool) (string, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(out, "runs.jsonl")
	if fresh {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return "", err
		}
	}
	return path, nil
}

// writeSweep writes the JSON, the Markdown summary (also printed) and the charts.
func writeSweep(sw *evalrun.RecallSweep, g evalrun.Grid, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := evalrun.WriteJSON(filepath.Join(out, "sweep.json"), sw); err != nil {
		return err
	}
	var summary bytes.Buffer
	for i := range sw.Sets {
		evalrun.WriteRecallSummary(&summary, &sw.Sets[i], g)
		if _, err := evalrun.RecallCharts(&sw.Sets[i], g, filepath.Join(out, "charts")); err != nil {
			return err
		}
	}
	if _, err := evalrun.SweepCharts(sw, filepath.Join(out, "charts")); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "summary.md"), summary.Bytes(), 0o644); err != nil {
		return err
	}
	os.Stdout.Write(summary.Bytes())
	fmt.Fprintf(os.Stderr, "scope: wrote %s/sweep.json, summary.md and charts/\n", out)
	return nil
}
