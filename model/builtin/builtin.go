// Package builtin holds the model compiled into the scope command, so that it produces
// real text with no model file: Andrej Karpathy's stories260K (MIT, see NOTICE), a 260K
// parameter llama trained on TinyStories, as a 1.2 MB F32 GGUF.
package builtin

import (
	_ "embed"
	"fmt"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/gguf"
)

// Name is the built-in model's name (scope -m stories260K).
const Name = "stories260K"

//go:embed stories260K.gguf
var stories260K string

// Open parses the built-in model. Its tensors live in memory owned by the returned
// model; each call returns an independent copy.
func Open() (*model.Model, error) {
	// A fresh allocation gives the tensor data the alignment the backends read it with.
	data := []byte(stories260K)
	f, err := gguf.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("built-in model %s: %w", Name, err)
	}
	m, err := model.FromGGUF(f)
	if err != nil {
		return nil, fmt.Errorf("built-in model %s: %w", Name, err)
	}
	return m, nil
}

// Size is the built-in model file's size in bytes.
func Size() int { return len(stories260K) }
