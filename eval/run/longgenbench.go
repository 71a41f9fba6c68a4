package run

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/scopekv/scope/eval"
	"github.com/scopekv/scope/model/tokenizer"
	"github.com/scopekv/scope/runtime"
)

// LongGenBenchOptions configures RunLongGenBench.
type LongGenBenchOptions struct {
	Data         string   // folder with {subset}_{K}.jsonl (or {subset}/{subset}_{K}.jsonl)
	Subsets      []string // gsm8k, mmlu, csqa
	Limit        int      // prompts per subset (0 = all)
	MaxNewTokens int      // T (4096 in the paper's 4K runs)
	OutDir       string   // outputs {subset}.jsonl, results.csv and results.md
	Method       string   // row name of the results table
	Session      runtime.SessionOptions
	Meta         map[string]any // added to every record's meta (the KV configuration)
	Progress     io.Writer      // progress lines; nil = none
	NoBOS        bool
}

// LongGenBench is the outcome of a run: the results table and each subset's score.
type LongGenBench struct {
	Table  eval.Table
	Scores map[string]eval.Result
}

// RunLongGenBench generates greedily for every prompt of each subset that the subset's
// outputs file does not hold yet (so an interrupted run resumes), appending one record per
// prompt, then scores every file with the reference scorer and writes the results table as
// CSV and Markdown. Prompts longer than the context minus MaxNewTokens are cut in the
// middle, as the reference runner does above the model's length; the record's meta says so.
func RunLongGenBench(ctx context.Context, m *runtime.Model, o LongGenBenchOptions) (*LongGenBench, error) {
	if o.MaxNewTokens <= 0 || len(o.Subsets) == 0 || o.OutDir == "" {
		return nil, fmt.Errorf("%w: LongGenBench needs subsets, an output folder and max new tokens > 0", ErrInput)
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, err
	}
	s, err := m.NewSession(o.Session)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	out := &LongGenBench{Scores: map[string]eval.Result{},
		Table: eval.Table{Corner: "dataset", Columns: o.Subsets, Rows: []eval.Row{{Name: o.Method}}}}
	for _, sub := range o.Subsets {
		path := filepath.Join(o.OutDir, sub+".jsonl")
		if err := generateSubset(ctx, m, s, sub, path, o); err != nil {
			return nil, fmt.Errorf("%s: %w", sub, err)
		}
		r, err := eval.ScoreFile(path, sub, false)
		if err != nil {
			return nil, err
		}
		out.Scores[sub] = r
		out.Table.Rows[0].Values = append(out.Table.Rows[0].Values, r.Score)
	}
	if len(o.Subsets) > 1 {
		out.Table = out.Table.WithAverage("average")
	}
	return out, writeTables(out.Table, o.OutDir)
}

// generateSubset runs the prompts of one subset that path does not hold yet.
func generateSubset(ctx context.Context, m *runtime.Model, s *runtime.Session, sub, path string, o LongGenBenchOptions) error {
	tasks, err := eval.LoadLongGenBench(o.Data, sub)
	if err != nil {
		return err
	}
	if o.Limit > 0 && len(tasks) > o.Limit {
		tasks = tasks[:o.Limit]
	}
	left, err := eval.Remaining(path, tasks)
	if err != nil {
		return err
	}
	w, err := eval.AppendOutputs(path)
	if err != nil {
		return err
	}
	defer w.Close()
	prog := progressFor(o.Progress, sub, len(tasks))
	if p, ok := prog.(*eval.Progress); ok {
		p.Resume(len(tasks) - len(left))
	}
	defer prog.Finish()
	for _, t := range left {
		rec, err := generateTask(ctx, m, s, t, o, prog)
		if err != nil {
			return fmt.Errorf("prompt %d: %w", t.Index, err)
		}
		if err := w.Write(rec); err != nil {
			return err
		}
		prog.Done(1)
	}
	return w.Close()
}

// generateTask generates one prompt's answers and returns its outputs record.
func generateTask(ctx context.Context, m *runtime.Model, s *runtime.Session, t eval.Task, o LongGenBenchOptions, prog progress) (eval.Record, error) {
	tok := m.Tokenizer()
	prompt, orig, n, err := FitPrompt(tok, t.Prompt, s.ContextLen()-o.MaxNewTokens, !o.NoBOS)
	if err != nil {
		return eval.Record{}, err
	}
	streamed, pieces := 0, 0
	res, err := s.Generate(ctx, prompt, runtime.GenerateOptions{MaxTokens: o.MaxNewTokens, NoBOS: o.NoBOS,
		Stream: func(string) error {
			if pieces++; pieces > 1 { // the first piece is the prompt
				streamed++
				prog.AddTokens(1)
			}
			return nil
		}})
	if err != nil {
		return eval.Record{}, err
	}
	prog.AddTokens(len(res.Tokens) - streamed)
	rec := eval.NewRecord(t, res.Text)
	rec.Meta = map[string]any{"method": o.Method, "prompt_tokens": n, "max_new_tokens": o.MaxNewTokens,
		"gen_tokens": len(res.Tokens), "stop": res.StopReason, "gen_tokens_per_sec": res.GenTokensPerSec()}
	if orig != n {
		rec.Meta["truncated_from_tokens"] = orig
	}
	for k, v := range o.Meta {
		rec.Meta[k] = v
	}
	if kv := res.KV; kv != nil {
		rec.Meta["kv_peak_layer_entries"], rec.Meta["kv_rebuilds"] = kv.PeakLayerEntries, kv.Rebuilds
	}
	return rec, nil
}

// FitPrompt returns text unchanged when it tokenizes to at most limit tokens, else the
// text of its first and last tokens (half each) re-joined, as the reference's middle
// truncation does, shrunk until it fits. It also returns the original and final token
// counts (BOS included when bos).
func FitPrompt(tok *tokenizer.Tokenizer, text string, limit int, bos bool) (string, int, int, error) {
	ids := tok.Encode(text, bos, false)
	if len(ids) <= limit {
		return text, len(ids), len(ids), nil
	}
	body := tok.Encode(text, false, false)
	special := len(ids) - len(body)
	keep := limit - special
	for range 8 {
		if keep < 2 {
			break
		}
		head, tail := keep/2, keep-keep/2
		cut := tok.Decode(body[:head]) + tok.Decode(body[len(body)-tail:])
		n := len(tok.Encode(cut, bos, false))
		if n <= limit {
			return cut, len(ids), n, nil
		}
		keep -= n - limit
	}
	return "", len(ids), 0, fmt.Errorf("%w: a prompt of %d tokens cannot be cut to %d (context minus max new tokens)",
		ErrInput, len(ids), limit)
}

// writeTables writes results.csv and results.md into dir.
func writeTables(t eval.Table, dir string) error {
	var csv, md bytes.Buffer
	if err := t.WriteCSV(&csv); err != nil {
		return err
	}
	if err := t.WriteMarkdown(&md); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.csv"), csv.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "results.md"), md.Bytes(), 0o644)
}
