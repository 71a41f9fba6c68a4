package eval

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"os"
	"strings"
	"unicode/utf8"
)

// Recall task alphabet: key i is U+4E00+i, values are U+AC00..U+AC3F; each is one token.
const (
	RecallMaxK      = 256
	recallKeyBase   = 0x4E00
	recallValueBase = 0xAC00
	recallValues    = 64
)

// RecallTask is one recall prompt: K records to be written back in key order.
type RecallTask struct {
	K       int      `json:"k"`
	Prompt  string   `json:"prompt"`
	Answers []string `json:"answers"` // the expected lines (records in key order), no newlines
}

// Want returns the expected generation: the answer lines, each ended by a newline.
func (t RecallTask) Want() string {
	return strings.Join(t.Answers, "\n") + "\n"
}

// LoadRecall reads a recall_k*.jsonl file.
func LoadRecall(path string) ([]RecallTask, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var tasks []RecallTask
	err = forEachLine(f, func(n int, _ int64, line []byte) error {
		var t RecallTask
		if err := json.Unmarshal(line, &t); err != nil {
			return fmt.Errorf("%w: %s line %d: %v", ErrBadRecord, path, n+1, err)
		}
		if t.K < 1 || len(t.Answers) != t.K || !strings.HasPrefix(t.Prompt, "recall:") {
			return fmt.Errorf("%w: %s line %d: k=%d with %d answers", ErrBadRecord, path, n+1, t.K, len(t.Answers))
		}
		tasks = append(tasks, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tasks, nil
}

// SaveRecall writes tasks as a recall JSONL file (the format LoadRecall reads).
func SaveRecall(path string, tasks []RecallTask) error {
	var b strings.Builder
	for _, t := range tasks {
		line, err := json.Marshal(t)
		if err != nil {
			return err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// GenerateRecall makes n recall prompts with K records each, deterministic in seed (the
// stream is this package's own, so it does not change with Go releases). The shipped
// recall_k*.jsonl sets have the same format but come from another generator.
func GenerateRecall(k, n int, seed int64) ([]RecallTask, error) {
	if k < 1 || k > RecallMaxK || n < 0 {
		return nil, fmt.Errorf("%w: recall needs 1 <= K <= %d and n >= 0, got K=%d n=%d", ErrBadArgument, RecallMaxK, k, n)
	}
	rng := rand.NewPCG(uint64(seed), 0x7265_6361_6c6c) // "recall"
	tasks := make([]RecallTask, n)
	for i := range tasks {
		tasks[i] = newRecallTask(k, rng)
	}
	return tasks, nil
}

func newRecallTask(k int, rng *rand.PCG) RecallTask {
	records := make([]string, k)
	for i := range records {
		v := rune(recallValueBase + uniform(rng, recallValues))
		records[i] = string([]rune{recallKeyBase + rune(i), v})
	}
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	for i := k - 1; i > 0; i-- { // Fisher-Yates
		j := uniform(rng, i+1)
		order[i], order[j] = order[j], order[i]
	}
	var b strings.Builder
	b.WriteString("recall:" + string(rune(recallKeyBase+k-1)) + "\n")
	for _, i := range order {
		b.WriteString(records[i] + "\n")
	}
	b.WriteString("=\n")
	return RecallTask{K: k, Prompt: b.String(), Answers: records}
}

// uniform returns an unbiased integer in [0, n) (Lemire's multiply-and-reject).
func uniform(rng *rand.PCG, n int) int {
	un := uint64(n)
	hi, lo := bits.Mul64(rng.Uint64(), un)
	if lo < un {
		thresh := -un % un
		for lo < thresh {
			hi, lo = bits.Mul64(rng.Uint64(), un)
		}
	}
	return int(hi)
}

// RecallMatches compares a generation with the answer lines: the text is split on "\n" and
// line i must equal answer i exactly. Missing lines are misses; lines past K are ignored.
// The text must be decoded without special tokens (no EOS marker), as the reference does.
func RecallMatches(output string, answers []string) []bool {
	lines := strings.Split(output, "\n")
	ok := make([]bool, len(answers))
	for i, a := range answers {
		ok[i] = i < len(lines) && lines[i] == a
	}
	return ok
}

// ScoreRecall returns the fraction of answer lines reproduced in place (0 when K = 0).
func ScoreRecall(output string, answers []string) float64 {
	if len(answers) == 0 {
		return 0
	}
	n := 0
	for _, ok := range RecallMatches(output, answers) {
		if ok {
			n++
		}
	}
	return float64(n) / float64(len(answers))
}

// NewRecallRecord makes the outputs record of a finished recall task; index is its line in
// the set. Scored with subset "recall", it gives ScoreRecall's accuracy.
func NewRecallRecord(t RecallTask, index int, pred string) Record {
	return Record{
		Prompt: t.Prompt, Questions: []string{}, Answers: t.Answers,
		Length: utf8.RuneCountInString(t.Prompt), Pred: pred, Index: index, Subset: Recall,
	}
}
