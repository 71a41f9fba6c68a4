package eval

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
)

// Result is the score of one outputs file (one subset of one run).
type Result struct {
	Subset      string
	Score       float64   // 100 × mean per-prompt accuracy, unrounded (Round4 gives the published form)
	PerPrompt   []float64 // accuracy of each prompt, in file order, in [0, 1]
	PerPosition []float64 // accuracy by answer index over the prompts that have that index, in [0, 1]
	Prompts     []PromptScore
}

// ScoreOutputs scores an outputs JSONL file with the reference scorer, inferring the subset
// from the file's name (or its folder's) and otherwise from its content.
func ScoreOutputs(path string) (subset string, score float64, perPrompt []float64, err error) {
	r, err := ScoreFile(path, "", false)
	if err != nil {
		return "", 0, nil, err
	}
	return r.Subset, r.Score, r.PerPrompt, nil
}

// ScoreFile scores an outputs file. An empty subset is inferred. indexed selects the
// Answer_-number matching scorer instead of the published positional one.
func ScoreFile(path, subset string, indexed bool) (Result, error) {
	recs, err := ReadOutputs(path)
	if err != nil {
		return Result{}, err
	}
	if subset == "" {
		if subset, err = InferSubset(path, recs); err != nil {
			return Result{}, err
		}
	}
	return ScoreRecords(subset, recs, indexed)
}

// ScoreRecords scores records of one subset. An empty set scores 0.
func ScoreRecords(subset string, recs []Record, indexed bool) (Result, error) {
	score := ScorePrediction
	if indexed {
		score = ScorePredictionIndexed
	}
	res := Result{Subset: subset, PerPrompt: make([]float64, len(recs))}
	var hits, counts []int
	sum := 0.0
	for i, rec := range recs {
		ps, err := score(subset, rec.Pred, rec.Answers)
		if err != nil {
			return Result{}, err
		}
		res.Prompts = append(res.Prompts, ps)
		res.PerPrompt[i] = ps.Accuracy
		sum += ps.Accuracy
		for j, ok := range ps.Correct {
			if j == len(counts) {
				hits, counts = append(hits, 0), append(counts, 0)
			}
			counts[j]++
			if ok {
				hits[j]++
			}
		}
	}
	if len(recs) > 0 {
		res.Score = 100 * sum / float64(len(recs))
	}
	res.PerPosition = make([]float64, len(counts))
	for j := range counts {
		res.PerPosition[j] = float64(hits[j]) / float64(counts[j])
	}
	return res, nil
}

// Round4 rounds as the reference reports scores (numpy round to 4 decimals, half to even).
func Round4(v float64) float64 {
	return math.RoundToEven(v*1e4) / 1e4
}

// InferSubset names the subset of an outputs file: first from the file name, then from the
// name of its folder (the reference writes {subset}/{method}.json), then from the records.
func InferSubset(path string, recs []Record) (string, error) {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	for _, name := range []string{base, filepath.Base(filepath.Dir(path))} {
		if s := subsetInName(name); s != "" {
			return s, nil
		}
	}
	if s := subsetFromContent(recs); s != "" {
		return s, nil
	}
	return "", fmt.Errorf("%w: cannot tell the subset of %s", ErrUnknownSubset, path)
}

func subsetInName(name string) string {
	name = strings.ToLower(name)
	for _, s := range []string{GSM8K, MMLU, CSQA, Recall} {
		if strings.Contains(name, s) {
			return s
		}
	}
	return ""
}

// subsetFromContent looks at the first record: recall prompts start with "recall:", GSM8K
// gold answers are solutions ending in "#### N", choice answers are letters; MMLU prompts
// carry its instruction, and CSQA questions have a fifth option.
func subsetFromContent(recs []Record) string {
	if len(recs) == 0 {
		return ""
	}
	r := recs[0]
	switch {
	case strings.HasPrefix(r.Prompt, "recall:"):
		return Recall
	case allAnswers(r.Answers, func(a string) bool { return strings.Contains(a, "####") }):
		return GSM8K
	case !allAnswers(r.Answers, isChoiceLetter):
		return ""
	case strings.Contains(r.Prompt, strings.TrimSpace(mmluInstructionTail)):
		return MMLU
	case allAnswers(r.Questions, func(q string) bool { return strings.Contains(q, "(E)") }):
		return CSQA
	case allAnswers(r.Questions, func(q string) bool { return strings.Contains(q, "(D)") }):
		return MMLU
	}
	return ""
}

func allAnswers(xs []string, pred func(string) bool) bool {
	if len(xs) == 0 {
		return false
	}
	for _, x := range xs {
		if !pred(x) {
			return false
		}
	}
	return true
}

func isChoiceLetter(a string) bool {
	return len(a) == 1 && a[0] >= 'A' && a[0] <= 'Z'
}
