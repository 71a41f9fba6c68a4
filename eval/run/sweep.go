package run

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/scopekv/scope/eval"
)

// RecallSweepOptions configures SweepRecall.
type RecallSweepOptions struct {
	Models   []string // model files
	Sets     []string // recall JSONL files
	Limit    int      // prompts per set (0 = all)
	Grid     Grid
	Workers  int       // concurrent configurations (0 = 2)
	Open     Opener    // nil = CPUOpener(1)
	Progress io.Writer // progress line; nil = none
	// Journal, when set, is a JSONL file each run is appended to as it finishes; runs
	// already in it are not run again, so an interrupted sweep resumes where it stopped.
	Journal string
}

// RecallSweep is the result of a recall sweep: one entry per model and set.
type RecallSweep struct {
	Grid Grid        `json:"grid"`
	Sets []RecallSet `json:"sets"`
}

// RecallSet is every spec's result for one model on one recall set.
type RecallSet struct {
	Model     string      `json:"model"` // file name
	Set       string      `json:"set"`   // file name
	K         int         `json:"k"`
	Prompts   int         `json:"prompts"`
	PromptLen int         `json:"prompt_len"` // N of the first prompt, BOS included
	OutputLen int         `json:"output_len"` // T = 3K+1
	Runs      []RecallRun `json:"runs"`
}

// Run returns the run of the named spec, or nil.
func (s *RecallSet) Run(name string) *RecallRun {
	for i := range s.Runs {
		if s.Runs[i].Spec.Name == name {
			return &s.Runs[i]
		}
	}
	return nil
}

type recallJob struct {
	set, run int
	model    string
	tasks    []eval.RecallTask
}

// SweepRecall runs every valid spec of the grid on every model and recall set, with a
// bounded number of concurrent workers. The result does not depend on the worker count.
func SweepRecall(ctx context.Context, o RecallSweepOptions) (*RecallSweep, error) {
	if len(o.Models) == 0 || len(o.Sets) == 0 {
		return nil, fmt.Errorf("%w: a sweep needs models and recall sets", ErrInput)
	}
	if o.Open == nil {
		o.Open = CPUOpener(1)
	}
	if o.Workers == 0 {
		o.Workers = 2
	}
	sw := &RecallSweep{Grid: o.Grid}
	jobs, err := planRecall(sw, o)
	if err != nil {
		return nil, err
	}
	jobs, jr, err := resume(sw, jobs, o)
	if err != nil {
		return nil, err
	}
	prog := progressFor(o.Progress, "sweep", len(jobs))
	err = forEach(ctx, o.Workers, len(jobs), o.Open, func(ctx context.Context, i int, ms *models) error {
		j := jobs[i]
		m, err := ms.get(j.model)
		if err != nil {
			return err
		}
		set := &sw.Sets[j.set]
		r, err := RunRecall(ctx, m, set.Runs[j.run].Spec, j.tasks)
		if err != nil {
			return err
		}
		set.Runs[j.run] = r // each job owns its slot
		prog.AddTokens(r.GenTokens)
		prog.Done(1)
		return jr.add(journalEntry{Model: set.Model, Set: set.Set, Prompts: set.Prompts, Run: r})
	})
	prog.Finish()
	if cerr := jr.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return sw, nil
}

// resume fills in the runs the journal already holds and returns the jobs left, with the
// journal open for appending (nil without one).
func resume(sw *RecallSweep, jobs []recallJob, o RecallSweepOptions) ([]recallJob, *journal, error) {
	if o.Journal == "" {
		return jobs, nil, nil
	}
	done, err := readJournal(o.Journal)
	if err != nil {
		return nil, nil, err
	}
	left := jobs[:0:0]
	for _, j := range jobs {
		set := &sw.Sets[j.set]
		e := journalEntry{Model: set.Model, Set: set.Set, Prompts: set.Prompts, Run: set.Runs[j.run]}
		if r, ok := done[e.key()]; ok {
			set.Runs[j.run] = r
			continue
		}
		left = append(left, j)
	}
	if n := len(jobs) - len(left); n > 0 && o.Progress != nil {
		fmt.Fprintf(o.Progress, "sweep: %d of %d runs already in %s; running the other %d\n", n, len(jobs), o.Journal, len(left))
	}
	jr, err := openJournal(o.Journal)
	return left, jr, err
}

// planRecall loads the sets, measures their prompt lengths and lays out one job per spec.
func planRecall(sw *RecallSweep, o RecallSweepOptions) ([]recallJob, error) {
	var jobs []recallJob
	for _, mp := range o.Models {
		m, err := o.Open(mp)
		if err != nil {
			return nil, err
		}
		tok := m.Tokenizer()
		for _, sp := range o.Sets {
			tasks, err := eval.LoadRecall(sp)
			if err != nil {
				m.Close()
				return nil, err
			}
			if o.Limit > 0 && len(tasks) > o.Limit {
				tasks = tasks[:o.Limit]
			}
			n := len(tok.Encode(tasks[0].Prompt, true, false))
			set := RecallSet{Model: filepath.Base(mp), Set: filepath.Base(sp), K: tasks[0].K, Prompts: len(tasks),
				PromptLen: n, OutputLen: RecallOutput(tasks[0].K)}
			for _, s := range o.Grid.Specs(n, set.OutputLen) {
				set.Runs = append(set.Runs, RecallRun{Spec: s})
				jobs = append(jobs, recallJob{set: len(sw.Sets), run: len(set.Runs) - 1, model: mp, tasks: tasks})
			}
			sw.Sets = append(sw.Sets, set)
		}
		if err := m.Close(); err != nil {
			return nil, err
		}
	}
	return jobs, nil
}

// progress is the part of eval.Progress a sweep uses.
type progress interface {
	AddTokens(int)
	Done(int)
	Finish()
}

// nopProgress stands in when no progress line is wanted.
type nopProgress struct{}

func (nopProgress) AddTokens(int) {}
func (nopProgress) Done(int)      {}
func (nopProgress) Finish()       {}

func progressFor(w io.Writer, label string, total int) progress {
	if w == nil {
		return nopProgress{}
	}
	return eval.NewProgress(w, label, total, nil)
}

// WithoutTiming returns a copy of v's JSON with every "timing" object removed, for
// comparing the deterministic part of two runs.
func WithoutTiming(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		return nil, err
	}
	return json.Marshal(stripKey(generic, "timing"))
}

func stripKey(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, key)
		for k, e := range x {
			x[k] = stripKey(e, key)
		}
	case []any:
		for i, e := range x {
			x[i] = stripKey(e, key)
		}
	}
	return v
}

// WriteJSON writes v as indented JSON to path.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadRecallSweep reads a sweep written by WriteJSON, to draw it again.
func ReadRecallSweep(path string) (*RecallSweep, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var sw RecallSweep
	if err := json.Unmarshal(b, &sw); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInput, path, err)
	}
	return &sw, nil
}
