package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/scopekv/scope/eval"
	scope "github.com/scopekv/scope/runtime"
)

func init() {
	commands["eval"] = command{"evaluate: score, recall, longgenbench, fidelity, sweep, probe", runEval}
}

var evalCommands = map[string]func([]string) error{
	"score":  runEvalScore,
	"recall": runEvalRecall,
}

func runEval(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("want a subcommand: %s", strings.Join(sortedKeys(evalCommands), ", "))
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Printf("usage: scope eval SUBCOMMAND [flags]\n\nsubcommands: %s\n\nrun 'scope eval SUBCOMMAND -h' for its flags\n",
			strings.Join(sortedKeys(evalCommands), ", "))
		return flag.ErrHelp
	}
	f, ok := evalCommands[args[0]]
	if !ok {
		return fmt.Errorf("unknown subcommand %q (want %s)", args[0], strings.Join(sortedKeys(evalCommands), ", "))
	}
	return f(args[1:])
}

// runEvalScore scores stored LongGenBench outputs without a model.
func runEvalScore(args []string) error {
	fs := newFlags("eval score")
	subset := fs.String("subset", "", "gsm8k, mmlu or csqa (default: inferred from the file)")
	indexed := fs.Bool("indexed", false, "match answers by their Answer_N number instead of position (not the paper's metric)")
	files, err := interspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no files: pass one or more outputs JSONL files")
	}
	var sum float64
	for _, f := range files {
		r, err := eval.ScoreFile(f, *subset, *indexed)
		if err != nil {
			return err
		}
		sum += eval.Round4(r.Score)
		fmt.Printf("%-8s %8.4f  (%d prompts, %s)\n", r.Subset, eval.Round4(r.Score), len(r.PerPrompt), f)
	}
	if len(files) > 1 {
		fmt.Printf("%-8s %8.4f\n", "average", sum/float64(len(files)))
	}
	return nil
}

// runEvalRecall runs the recall task: each prompt's output lines are compared with the
// answers by position.
func runEvalRecall(args []string) error {
	fs := newFlags("eval recall")
	var mf modelFlags
	mf.register(fs)
	var kf kvFlags
	kf.register(fs)
	data := fs.String("data", "", "recall set (JSONL with k, prompt, answers)")
	k := fs.Int("k", 0, "generate a set with K records per prompt instead of --data")
	n := fs.Int("count", 8, "prompts to generate with --k")
	seed := fs.Int64("seed", 1, "seed for --k")
	save := fs.String("save", "", "write the generated set here")
	out := fs.String("o", "", "write the outputs JSONL here")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	tasks, err := recallTasks(*data, *k, *n, *seed)
	if err != nil {
		return err
	}
	kvc, err := kf.config()
	if err != nil {
		return err
	}
	if *save != "" {
		if err := eval.SaveRecall(*save, tasks); err != nil {
			return err
		}
	}
	m, err := mf.open()
	if err != nil {
		return err
	}
	defer m.Close()
	acc, err := runRecall(m, scope.SessionOptions{KV: kvc, KVMemory: kf.memory(), PageSize: kf.pageSize}, tasks, *out)
	if err != nil {
		return err
	}
	name := *data
	if name == "" {
		name = fmt.Sprintf("generated k=%d seed=%d", *k, *seed)
	}
	fmt.Printf("recall %s: accuracy %.4f over %d prompts (%s)\n", filepath.Base(name), acc, len(tasks), modelName(mf.model))
	return nil
}

func recallTasks(data string, k, n int, seed int64) ([]eval.RecallTask, error) {
	switch {
	case data != "" && k != 0:
		return nil, fmt.Errorf("pass either --data or --k, not both")
	case data != "":
		return eval.LoadRecall(data)
	case k != 0:
		return eval.GenerateRecall(k, n, seed)
	}
	return nil, fmt.Errorf("no data: pass --data SET.jsonl or --k K")
}

func runRecall(m *scope.Model, so scope.SessionOptions, tasks []eval.RecallTask, outPath string) (float64, error) {
	var w *eval.OutputWriter
	if outPath != "" {
		var err error
		if w, err = eval.CreateOutputs(outPath); err != nil {
			return 0, err
		}
		defer w.Close()
	}
	s, err := m.NewSession(so)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	prog := eval.NewProgress(os.Stderr, "recall", len(tasks), nil)
	var sum float64
	for i, t := range tasks {
		res, err := s.Generate(context.Background(), t.Prompt, scope.GenerateOptions{MaxTokens: 3*t.K + 16})
		if err != nil {
			return 0, fmt.Errorf("prompt %d: %w", i, err)
		}
		sum += eval.ScoreRecall(res.Text, t.Answers)
		if w != nil {
			if err := w.Write(eval.NewRecallRecord(t, i, res.Text)); err != nil {
				return 0, err
			}
		}
		prog.AddTokens(len(res.Tokens))
		prog.Done(1)
	}
	prog.Finish()
	return sum / float64(len(tasks)), nil
}
