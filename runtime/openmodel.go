package runtime

import (
	"fmt"

	"github.com/scopekv/scope/model"
)

// OpenModel prepares an already loaded model (for example one parsed from memory with
// gguf.Parse and model.FromGGUF, or the scope command's built-in model) on the configured
// backend. On success the returned Model owns f and closes it in Close; on error f is
// left to the caller.
func OpenModel(f *model.Model, cfg Config) (*Model, error) {
	if f == nil {
		return nil, fmt.Errorf("%w: nil model", ErrBadConfig)
	}
	if err := cfg.normalise(); err != nil {
		return nil, err
	}
	return newModel(f, cfg)
}
