package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/builtin"
	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
)

// exampleModel writes a small random-weight model file for tests that need a path.
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

// openBuiltin opens the stories260K model compiled into package builtin, so the examples
// run without a model file.
func openBuiltin() *scope.Model {
	f, err := builtin.Open()
	if err != nil {
		log.Fatal(err)
	}
	m, err := scope.OpenModel(f, scope.Config{Backend: "cpu"})
	if err != nil {
		log.Fatal(err)
	}
	return m
}

// Generate greedily with streaming output, ending before a stop string.
func Example() {
	m := openBuiltin()
	defer m.Close()
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 256})
	if err != nil {
		log.Fatal(err)
	}
	res, err := s.Generate(context.Background(), "Once upon a time", scope.GenerateOptions{
		MaxTokens: 64,
		Stop:      []string{"."},
		Stream:    func(text string) error { fmt.Print(text); return nil }, // the prompt, then new text
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\n%d new tokens, stopped by %q: %q\n", len(res.Tokens), res.StopReason, res.Text)
	// Output:
	// Once upon a time, there was a little girl named Lily
	// 11 new tokens, stopped by "stop": ", there was a little girl named Lily"
}

// Errors are typed: a prompt longer than the context is ErrContextFull.
func Example_errors() {
	m := openBuiltin()
	defer m.Close()
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 4})
	if err != nil {
		log.Fatal(err)
	}
	_, err = s.Generate(context.Background(), "a prompt far longer than four tokens", scope.GenerateOptions{})
	fmt.Println(errors.Is(err, scope.ErrContextFull))
	// Output: true
}

// Open a model file and stream a sampled generation. This is the README's example; a test
// keeps the two the same.
func Example_file() {
	// README example begins
	m, err := scope.Open("model.gguf", scope.Config{}) // import scope "github.com/scopekv/scope/runtime"
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	s, err := m.NewSession(scope.SessionOptions{}) // one per goroutine; the Model is shared
	if err != nil {
		log.Fatal(err)
	}
	res, err := s.Generate(context.Background(), "Once upon a time", scope.GenerateOptions{
		MaxTokens: 128,
		Sampling:  scope.Sampling{Temperature: 0.8, TopP: 0.95, Seed: 42},
		Stop:      []string{"\n\n"},
		// Stream's first call carries the prompt; the later ones the new text.
		Stream: func(text string) error { fmt.Print(text); return nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\n%d tokens, stopped by %s\n", len(res.Tokens), res.StopReason)
	// README example ends
}
