package tests

import (
	"context"
	"math"
	"testing"

	"github.com/scopekv/scope/eval"
	"github.com/scopekv/scope/internal/testdata"
	scope "github.com/scopekv/scope/runtime"
)

// TestRecallFullCache runs the recall task with the full cache on the CPU and compares the
// accuracy with llama.cpp's on the same sets (recall README), within one answer line.
func TestRecallFullCache(t *testing.T) {
	cases := []struct {
		model, set string
		k          int
		want       float64
	}{
		{"recall.gguf", "recall_k32.jsonl", 32, 1.0},
		{"recall.gguf", "recall_k64.jsonl", 64, 1.0},
		{"recall-tracking.gguf", "recall_k32.jsonl", 32, 0.9609},
		{"recall-tracking.gguf", "recall_k64.jsonl", 64, 1.0},
	}
	for _, c := range cases {
		t.Run(c.model+"/"+c.set, func(t *testing.T) {
			tasks, err := eval.LoadRecall(testdata.Path(t, "recall", c.set))
			if err != nil {
				t.Fatal(err)
			}
			m := openModel(t, "cpu", testdata.Path(t, "recall", c.model))
			s, err := m.NewSession(scope.SessionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			for _, task := range tasks {
				res, err := s.Generate(context.Background(), task.Prompt, scope.GenerateOptions{MaxTokens: 3*task.K + 16})
				if err != nil {
					t.Fatal(err)
				}
				sum += eval.ScoreRecall(res.Text, task.Answers)
			}
			acc := sum / float64(len(tasks))
			oneLine := 1 / float64(c.k*len(tasks))
			if math.Abs(acc-c.want) > oneLine+1e-4 {
				t.Errorf("accuracy %.4f, llama.cpp %.4f (more than one line apart)", acc, c.want)
			}
		})
	}
}
