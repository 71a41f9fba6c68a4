package eval

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
)

var subsets = []string{GSM8K, MMLU, CSQA}

func lgbDir(t *testing.T) string {
	t.Helper()
	return testdata.Path(t, "longgenbench")
}

func storedOutputs(t *testing.T, subset string) string {
	return filepath.Join(lgbDir(t), "outputs-llama31-8b-fullcache", subset+".jsonl")
}

// The built prompts must equal, byte for byte, the prompts the reference fed the model.
func TestLoadLongGenBenchMatchesStoredPrompts(t *testing.T) {
	want := map[string]int{GSM8K: 43, MMLU: 53, CSQA: 30}
	wantK := map[string]int{GSM8K: 30, MMLU: 30, CSQA: 40}
	for _, s := range subsets {
		t.Run(s, func(t *testing.T) {
			tasks, err := LoadLongGenBench(lgbDir(t), s)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := ReadOutputs(storedOutputs(t, s))
			if err != nil {
				t.Fatal(err)
			}
			if len(tasks) != want[s] || len(recs) != want[s] {
				t.Fatalf("%d tasks, %d stored records, want %d", len(tasks), len(recs), want[s])
			}
			for i, task := range tasks {
				r := recs[i]
				if task.Prompt != r.Prompt {
					t.Fatalf("task %d (source line %d): prompt differs at byte %d", i, task.Index, firstDiff(task.Prompt, r.Prompt))
				}
				if !equalStrings(task.Questions, r.Questions) || !equalStrings(task.Answers, r.Answers) {
					t.Fatalf("task %d: questions or answers differ", i)
				}
				if len(task.Answers) != wantK[s] || task.Subset != s {
					t.Fatalf("task %d: K=%d subset %q", i, len(task.Answers), task.Subset)
				}
				if got := NewRecord(task, "").Length; got != r.Length {
					t.Fatalf("task %d: length %d, stored %d", i, got, r.Length)
				}
			}
		})
	}
}

func TestLoadLongGenBenchMMLUDropsAndBug(t *testing.T) {
	tasks, err := LoadLongGenBench(lgbDir(t), MMLU)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, task := range tasks {
		seen[task.Index] = true
		if task.Subject == "" {
			t.Fatalf("line %d: no subject", task.Index)
		}
		// P17: the subject is never named in the instruction.
		if !strings.Contains(task.Prompt, "(with answers) about  \n<</SYS>>\n\n") {
			t.Fatalf("line %d: instruction does not end in \"about \"", task.Index)
		}
	}
	for i := 0; i < 57; i++ {
		if dropped := i == 21 || i == 30 || i == 31 || i == 48; seen[i] == dropped {
			t.Fatalf("line %d: kept=%v", i, seen[i])
		}
	}
}

func TestLoadLongGenBenchErrors(t *testing.T) {
	if _, err := LoadLongGenBench(t.TempDir(), "squad"); !errors.Is(err, ErrUnknownSubset) {
		t.Fatalf("unknown subset: %v", err)
	}
	if _, err := LoadLongGenBench(t.TempDir(), GSM8K); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	dir := t.TempDir()
	bad := `{"prompt":"p","questions":["a"],"answers":["A"]}` + "\n" + `{"prompt":"p","questions":["a","b"],"answers":["A"]}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "csqa_40.jsonl"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadLongGenBench(dir, CSQA)
	if !errors.Is(err, ErrBadRecord) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("mismatched questions: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "csqa_40.jsonl"), []byte("{not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadLongGenBench(dir, CSQA); !errors.Is(err, ErrBadRecord) {
		t.Fatalf("bad json: %v", err)
	}
}

// The reference repository keeps each set in a folder named after the subset.
func TestLoadLongGenBenchRepoLayout(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, GSM8K), 0o755); err != nil {
		t.Fatal(err)
	}
	line := `{"prompt":"Examples: \n","questions":["q"],"answers":["x #### 4"]}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, GSM8K, "gsm8k_30.jsonl"), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	tasks, err := LoadLongGenBench(dir, GSM8K)
	if err != nil || len(tasks) != 1 {
		t.Fatalf("%v %v", tasks, err)
	}
	want := "<<SYS>>\n " + baseInstruction + " \n<</SYS>>\n\nExamples: \n"
	if tasks[0].Prompt != want {
		t.Fatalf("prompt %q", tasks[0].Prompt)
	}
}

func firstDiff(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
