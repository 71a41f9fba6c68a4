package model

import (
	"errors"

	"github.com/scopekv/scope/model/gguf"
	"github.com/scopekv/scope/model/llama2c"
	"github.com/scopekv/scope/model/tokenizer"
)

// ErrMalformed is wrapped by every error that a model or vocabulary file's content causes:
// a corrupt or inconsistent GGUF or llama2.c file, tensors that do not fit the
// hyper-parameters, an invalid vocabulary. It tells them from I/O errors (a missing or
// unreadable file) and from ErrUnsupported (a valid file this runtime cannot run). The
// parsers' own sentinels (gguf.ErrFormat, llama2c.ErrFormat, tokenizer.ErrInvalid) stay in
// the chain.
var ErrMalformed = errors.New("malformed model file")

type malformedError struct{ err error }

func (e malformedError) Error() string        { return e.err.Error() }
func (e malformedError) Unwrap() error        { return e.err }
func (e malformedError) Is(target error) bool { return target == ErrMalformed }

// malformed marks an error about a file's content as ErrMalformed, unless it says the file
// is unsupported.
func malformed(err error) error {
	if err == nil || errors.Is(err, ErrMalformed) || errors.Is(err, ErrUnsupported) ||
		errors.Is(err, tokenizer.ErrUnsupported) {
		return err
	}
	return malformedError{err}
}

// parseError marks the parsers' format errors as ErrMalformed and leaves I/O errors as
// they are.
func parseError(err error) error {
	if errors.Is(err, gguf.ErrFormat) || errors.Is(err, llama2c.ErrFormat) || errors.Is(err, tokenizer.ErrInvalid) {
		return malformed(err)
	}
	return err
}
