package eval

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scopekv/scope/internal/testdata"
)

var recallKs = []int{32, 64, 96, 128, 192}

func recallSet(t *testing.T, k int) []RecallTask {
	t.Helper()
	tasks, err := LoadRecall(testdata.Path(t, "recall", "recall_k"+strconv.Itoa(k)+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return tasks
}

// Every shipped prompt has the documented shape, and its answers follow from it.
func TestShippedRecallSetsFollowTheFormat(t *testing.T) {
	for _, k := range recallKs {
		tasks := recallSet(t, k)
		if len(tasks) != 8 {
			t.Fatalf("k=%d: %d prompts", k, len(tasks))
		}
		for i, task := range tasks {
			if err := checkRecallTask(task); err != nil {
				t.Fatalf("k=%d prompt %d: %v", k, i, err)
			}
			if got := ScoreRecall(task.Want(), task.Answers); got != 1 {
				t.Fatalf("k=%d prompt %d: answers score %v against themselves", k, i, got)
			}
		}
	}
}

// checkRecallTask verifies a task independently of the generator: header names the last
// key, the body lines are the K records in some order, the answers are them in key order.
func checkRecallTask(task RecallTask) error {
	k := task.K
	lines := strings.Split(task.Prompt, "\n")
	if len(lines) != k+3 || lines[0] != "recall:"+string(rune(0x4E00+k-1)) || lines[k+1] != "=" || lines[k+2] != "" {
		return errors.New("bad header or footer")
	}
	body := map[string]bool{}
	for _, l := range lines[1 : k+1] {
		body[l] = true
	}
	if len(task.Answers) != k || len(body) != k {
		return errors.New("records are not K distinct lines")
	}
	for i, a := range task.Answers {
		r := []rune(a)
		if len(r) != 2 || r[0] != rune(0x4E00+i) || r[1] < 0xAC00 || r[1] > 0xAC3F || !body[a] {
			return errors.New("answer " + a + " out of place")
		}
	}
	return nil
}

func TestRecallReadmeExample(t *testing.T) {
	task := RecallTask{K: 4, Prompt: "recall:七\n丂갅\n一갱\n七갡\n丁갵\n=\n", Answers: []string{"一갱", "丁갵", "丂갅", "七갡"}}
	if err := checkRecallTask(task); err != nil {
		t.Fatal(err)
	}
	if task.Want() != "一갱\n丁갵\n丂갅\n七갡\n" {
		t.Fatalf("want %q", task.Want())
	}
	cases := map[string]float64{
		"一갱\n丁갵\n丂갅\n七갡\n":       1,
		"一갱\n丁갵\n丂갅\n七갡":         1,    // no final newline (EOS right after)
		"一갱\n丁갵\n丂갅\n七갡\n一갱\n丁갵": 1,    // surplus lines ignored
		"一갱\n丁갵\n":               0.5,  // stopped early
		"一갱\n丁갵\n丂갅":             0.75, // cut in the middle
		"一갱\n丁갵\n丂갅\n七갢\n":       0.75, // wrong value
		"丁갵\n丂갅\n七갡\n":           0,    // shifted by a missing line
		"一갱 \n丁갵\n丂갅\n七갡\n":      0.75, // exact match only
		"":                       0,
	}
	for out, want := range cases {
		if got := ScoreRecall(out, task.Answers); got != want {
			t.Errorf("%q: %v, want %v", out, got, want)
		}
		ps, err := ScorePrediction(Recall, out, task.Answers)
		if err != nil || ps.Accuracy != want {
			t.Errorf("%q via ScorePrediction: %v %v", out, ps.Accuracy, err)
		}
	}
}

// A truncated answer scores the fraction of lines it kept.
func TestRecallTruncatedOutput(t *testing.T) {
	for _, k := range []int{64, 192} {
		task := recallSet(t, k)[3]
		want := task.Want()
		for _, keep := range []int{0, 1, k / 3, k - 1} {
			out := strings.Join(task.Answers[:keep], "\n")
			if got := ScoreRecall(out, task.Answers); got != float64(keep)/float64(k) {
				t.Errorf("k=%d keep %d: %v", k, keep, got)
			}
		}
		// Cutting the full text mid-record loses exactly that record.
		cut := want[:len(want)-len("\n")-utf8.RuneLen('갱')]
		if got := ScoreRecall(cut, task.Answers); got != float64(k-1)/float64(k) {
			t.Errorf("k=%d mid-record cut: %v", k, got)
		}
	}
}

func TestGenerateRecall(t *testing.T) {
	for _, k := range []int{1, 2, 7, 64, 256} {
		tasks, err := GenerateRecall(k, 5, 42)
		if err != nil || len(tasks) != 5 {
			t.Fatalf("k=%d: %v", k, err)
		}
		for i, task := range tasks {
			if err := checkRecallTask(task); err != nil {
				t.Fatalf("k=%d task %d: %v\n%s", k, i, err, task.Prompt)
			}
		}
	}
	a, _ := GenerateRecall(64, 3, 7)
	b, _ := GenerateRecall(64, 3, 7)
	c, _ := GenerateRecall(64, 3, 8)
	if a[2].Prompt != b[2].Prompt || a[2].Prompt == c[2].Prompt || a[0].Prompt == a[1].Prompt {
		t.Fatal("generation is not deterministic in the seed")
	}
	// The stream is the package's own: this prompt must never change.
	g, _ := GenerateRecall(4, 1, 1)
	if golden := "recall:七\n一갥\n丁갲\n七갬\n丂갓\n=\n"; g[0].Prompt != golden {
		t.Fatalf("seed 1 prompt changed: %q", g[0].Prompt)
	}
	for _, bad := range [][2]int{{0, 1}, {257, 1}, {4, -1}} {
		if _, err := GenerateRecall(bad[0], bad[1], 1); !errors.Is(err, ErrBadArgument) {
			t.Errorf("k=%d n=%d: %v", bad[0], bad[1], err)
		}
	}
}

// Values are drawn uniformly and every order is possible: a coarse check over many draws.
func TestGenerateRecallSpread(t *testing.T) {
	tasks, _ := GenerateRecall(256, 40, 3)
	counts := make([]int, 64)
	firstKey := map[rune]bool{}
	for _, task := range tasks {
		for _, a := range task.Answers {
			counts[[]rune(a)[1]-0xAC00]++
		}
		firstKey[[]rune(strings.Split(task.Prompt, "\n")[1])[0]] = true
	}
	for v, n := range counts { // mean 160, sd about 12.5
		if n < 100 || n > 220 {
			t.Fatalf("value %d drawn %d times of 10240", v, n)
		}
	}
	if len(firstKey) < 30 {
		t.Fatalf("only %d distinct first records in 40 prompts", len(firstKey))
	}
}

func TestSaveLoadRecall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl")
	tasks, _ := GenerateRecall(9, 3, 5)
	if err := SaveRecall(path, tasks); err != nil {
		t.Fatal(err)
	}
	back, err := LoadRecall(path)
	if err != nil || len(back) != 3 || back[1].Prompt != tasks[1].Prompt || back[2].Answers[8] != tasks[2].Answers[8] {
		t.Fatalf("%v %v", back, err)
	}
	os.WriteFile(path, []byte(`{"k":2,"prompt":"recall:丁\n","answers":["一갱"]}`+"\n"), 0o644)
	if _, err := LoadRecall(path); !errors.Is(err, ErrBadRecord) {
		t.Fatalf("k/answers mismatch: %v", err)
	}
}

// A recall run written as an outputs file scores through the common path, subset inferred.
func TestRecallOutputsFile(t *testing.T) {
	tasks := recallSet(t, 32)
	path := filepath.Join(t.TempDir(), "run.jsonl")
	w, _ := CreateOutputs(path)
	for i, task := range tasks {
		out := task.Want()
		if i%2 == 1 {
			out = strings.Join(task.Answers[:16], "\n") // half the lines
		}
		w.Write(NewRecallRecord(task, i, out))
	}
	w.Close()
	subset, score, per, err := ScoreOutputs(path)
	if err != nil || subset != Recall || len(per) != 8 || score != 75 {
		t.Fatalf("%s %v %v %v", subset, score, per, err)
	}
}
