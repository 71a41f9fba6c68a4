// Package chat renders a model's chat template (the Jinja text in a GGUF's
// tokenizer.chat_template) into the prompt text the model was trained on.
//
// Rendering follows Hugging Face's apply_chat_template (trim_blocks, lstrip_blocks, loop
// controls, raise_exception, tojson, strftime_now) plus two rules llama.cpp adds: a template
// that has no system role gets the system message merged into the first user message, and
// a leading BOS text (trailing EOS text) is dropped because the tokenizer adds those tokens
// itself.
package chat

import (
	"errors"
	"fmt"
)

// Message is one turn of a conversation.
type Message struct {
	Role    string `json:"role"` // "system", "user" or "assistant"
	Content string `json:"content"`
}

// Options are the values a template sees besides the messages.
type Options struct {
	BOS string // bos_token: the text of the tokenizer's BOS token
	EOS string // eos_token: the text of the tokenizer's EOS token
	// AddGenerationPrompt ends the text with the start of an assistant turn.
	AddGenerationPrompt bool
}

// ErrTemplate is wrapped by every error of a template that cannot be parsed or rendered.
var ErrTemplate = errors.New("chat template")

// Error is a template that failed to parse or render.
type Error struct {
	Name string // the template's name (a built-in, a file, "model")
	Op   string // "parse" or "render"
	Err  error  // the engine's error, or the template's raise_exception message
}

func (e *Error) Error() string {
	return fmt.Sprintf("chat template %s: %s: %v", e.Name, e.Op, e.Err)
}

func (e *Error) Unwrap() error        { return e.Err }
func (e *Error) Is(target error) bool { return target == ErrTemplate }
