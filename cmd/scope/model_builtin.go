package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/builtin"
)

// isBuiltin reports whether -m names the built-in model: no -m at all, or its name when no
// file of that name exists.
func isBuiltin(path string) bool {
	if path == "" {
		return true
	}
	if path != builtin.Name {
		return false
	}
	_, err := os.Stat(path)
	return err != nil
}

// modelName is how messages name the model in use.
func modelName(path string) string {
	if isBuiltin(path) {
		return builtin.Name + " (built in)"
	}
	return filepath.Base(path)
}

// modelStem names the model in file names: the file's base name without extension.
func modelStem(path string) string {
	if isBuiltin(path) {
		return builtin.Name
	}
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// noticeBuiltin says on stderr that the built-in model is in use (one line).
func noticeBuiltin(path string) {
	if isBuiltin(path) {
		notice("model %s (built in, %.1f MB; -m FILE for another)", builtin.Name, float64(builtin.Size())/1e6)
	}
}

func notice(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "scope: notice: "+format+"\n", args...)
}

// openFile loads a model file (or the built-in model) without a compute device, for
// inspect; vocabOnly loads just what tokenizing needs.
func openFile(path, tokPath string, vocabOnly bool) (*model.Model, error) {
	if isBuiltin(path) {
		noticeBuiltin(path)
		return builtin.Open()
	}
	open := model.Open
	if vocabOnly {
		open = model.OpenVocab
	}
	m, err := open(path, model.Options{TokenizerPath: tokPath})
	return m, explainModelError(err)
}

// explainModelError adds what the user can do about a model that cannot be read.
func explainModelError(err error) error {
	if errors.Is(err, model.ErrNoTokenizer) {
		return fmt.Errorf("%w: pass it with -z (for example -z tok512.bin)", err)
	}
	return err
}
