package model

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/scopekv/scope/model/llama2c"
)

// ErrNotModel is returned for a file that is neither GGUF (no magic) nor a plausible
// llama2.c checkpoint (header values out of range).
var ErrNotModel = errors.New("not a GGUF or llama2.c file")

// ErrNoTokenizer is returned for a llama2.c checkpoint opened without its tokenizer file:
// the checkpoint holds no vocabulary, and a tokenizer found by guessing (one beside the
// file) may belong to another model.
var ErrNoTokenizer = errors.New("a llama2.c checkpoint needs its tokenizer file (Options.TokenizerPath)")

// llama2cHeader is the size of a llama2.c checkpoint header (seven int32 values).
const llama2cHeader = 7 * 4

// sniff tells a GGUF file from a llama2.c checkpoint by its first bytes; anything else is
// ErrNotModel.
func sniff(path string) (isGGUF bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, llama2cHeader)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return false, err
	}
	head = head[:n]
	if n >= 4 && string(head[:4]) == "GGUF" {
		return true, nil
	}
	if !plausibleLlama2C(head) {
		return false, fmt.Errorf("%s: %w", path, ErrNotModel)
	}
	return false, nil
}

// plausibleLlama2C reports whether head, a file's first bytes, is a llama2.c header with
// every value in range. Parsed alone, a good header fails only for the missing weights,
// which the parser reports at an offset past the header.
func plausibleLlama2C(head []byte) bool {
	if len(head) < llama2cHeader {
		return false
	}
	_, err := llama2c.ReadCheckpoint(head[:llama2cHeader])
	var e *llama2c.Error
	return errors.As(err, &e) && e.Offset >= llama2cHeader
}
