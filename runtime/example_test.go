package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
)

// exampleModel writes a small random-weight model so the examples run anywhere.
func exampleModel() string {
	w, err := model.Synth(model.SynthOptions{Shape: "tiny", Type: quant.Q8_0, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(os.TempDir(), "scope-example-tiny.gguf")
	if err := w.WriteFile(path); err != nil {
		log.Fatal(err)
	}
	return path
}

// Generate text with streaming output.
func Example() {
	m, err := scope.Open(exampleModel(), scope.Config{Backend: "cpu"})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 256})
	if err != nil {
		log.Fatal(err)
	}
	var streamed int
	res, err := s.Generate(context.Background(), "Hello", scope.GenerateOptions{
		MaxTokens: 8,
		Sampling:  scope.Sampling{Temperature: 0.8, TopP: 0.95, Seed: 42},
		Stream:    func(text string) error { streamed += len(text); return nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(res.Tokens), "tokens, stop:", res.StopReason, "streamed:", streamed > 0)
	// Output: 8 tokens, stop: length streamed: true
}

// Errors are typed: a prompt longer than the context is ErrContextFull.
func Example_errors() {
	m, err := scope.Open(exampleModel(), scope.Config{Backend: "cpu"})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 4})
	if err != nil {
		log.Fatal(err)
	}
	_, err = s.Generate(context.Background(), "a prompt far longer than four tokens", scope.GenerateOptions{})
	fmt.Println(errors.Is(err, scope.ErrContextFull))
	// Output: true
}
