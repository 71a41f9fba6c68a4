package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Subset names.
const (
	GSM8K  = "gsm8k"
	MMLU   = "mmlu"
	CSQA   = "csqa"
	Recall = "recall"
)

// Task is one LongGenBench prompt: K questions answered in a single output.
type Task struct {
	Subset    string
	Index     int    // line number in the source file (0-based); stable across the MMLU drop
	Subject   string // MMLU subject (the source's "task" field); empty elsewhere
	Prompt    string // the final prompt as fed to the model (system text and wrapper included)
	Questions []string
	Answers   []string // GSM8K: full solutions ending in "#### N"; MMLU, CSQA: letters
}

// baseInstruction is the reference runner's system instruction for every subset.
const baseInstruction = "Answer each question step by step, adhering to the format shown in the " +
	"examples provided. Start each response with 'Answer_' and introduce the final response " +
	"with 'The answer is'. Do not repeat the question. Ensure that you respond to all the " +
	"questions presented, regardless of their number."

// mmluInstructionTail is appended for MMLU. The reference meant to add the subject name but
// appends it after the instruction was formatted, so the instruction ends in "about ".
// The published numbers come from that text, so it is kept.
const mmluInstructionTail = " The following are multiple choice questions (with answers) about "

// mmluDropped are the MMLU lines the reference removes "to avoid OOM".
var mmluDropped = map[int]bool{21: true, 30: true, 31: true, 48: true}

// defaultK is the questions per prompt of the 4K sets; the file is {subset}_{K}.jsonl.
var defaultK = map[string]int{GSM8K: 30, MMLU: 30, CSQA: 40}

// Instruction returns the system instruction the reference uses for a subset.
func Instruction(subset string) (string, error) {
	switch subset {
	case GSM8K, CSQA:
		return baseInstruction, nil
	case MMLU:
		return baseInstruction + mmluInstructionTail, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownSubset, subset)
}

// BuildPrompt wraps a prompt body the way the reference does for Llama-3
// (build_chat_llama3_modify): a Llama-2-style <<SYS>> block without chat headers.
// The tokenizer adds BOS; nothing else is added.
func BuildPrompt(instruction, body string) string {
	return "<<SYS>>\n " + instruction + " \n<</SYS>>\n\n" + body
}

// LoadLongGenBench reads the 4K set of a subset (gsm8k_30, mmlu_30 or csqa_40) from dir, or
// from dir/{subset}/ as laid out in the reference repository, and builds the final prompts.
func LoadLongGenBench(dir, subset string) ([]Task, error) {
	k, ok := defaultK[subset]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownSubset, subset)
	}
	name := fmt.Sprintf("%s_%d.jsonl", subset, k)
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err != nil {
		if alt := filepath.Join(dir, subset, name); fileExists(alt) {
			path = alt
		}
	}
	return LoadLongGenBenchFile(path, subset)
}

// LoadLongGenBenchFile reads one LongGenBench JSONL file (any K) of the given subset.
// MMLU lines 21, 30, 31 and 48 are dropped as in the reference runs.
func LoadLongGenBenchFile(path, subset string) ([]Task, error) {
	instr, err := Instruction(subset)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var tasks []Task
	err = forEachLine(f, func(n int, _ int64, line []byte) error {
		if subset == MMLU && mmluDropped[n] {
			return nil
		}
		t, err := decodeSourceLine(line)
		if err != nil {
			return fmt.Errorf("%w: %s line %d: %v", ErrBadRecord, path, n+1, err)
		}
		t.Subset, t.Index = subset, n
		t.Prompt = BuildPrompt(instr, t.Prompt)
		tasks = append(tasks, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tasks, nil
}

func decodeSourceLine(line []byte) (Task, error) {
	var src struct {
		Task      string   `json:"task"`
		Prompt    *string  `json:"prompt"`
		Questions []string `json:"questions"`
		Answers   []string `json:"answers"`
	}
	if err := json.Unmarshal(line, &src); err != nil {
		return Task{}, err
	}
	if src.Prompt == nil || len(src.Answers) == 0 {
		return Task{}, fmt.Errorf("missing prompt or answers")
	}
	if len(src.Questions) != len(src.Answers) {
		return Task{}, fmt.Errorf("%d questions but %d answers", len(src.Questions), len(src.Answers))
	}
	return Task{Subject: src.Task, Prompt: *src.Prompt, Questions: src.Questions, Answers: src.Answers}, nil
}

// forEachLine calls fn for every non-blank line with its number (counting all lines from 0)
// and the byte offset just past it. Lines may be arbitrarily long; a final line without a
// newline is passed as well.
func forEachLine(r io.Reader, fn func(n int, end int64, line []byte) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	var end int64
	for n := 0; ; n++ {
		line, err := br.ReadBytes('\n')
		end += int64(len(line))
		if len(bytes.TrimSpace(line)) > 0 {
			if ferr := fn(n, end, line); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}
