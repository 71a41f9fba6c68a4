package runtime

import (
	"errors"
	"fmt"
)

// ErrCallback wraps the panic of a user callback (GenerateOptions.Stream, Probe.Fn).
var ErrCallback = errors.New("callback panicked")

// callSafely runs a user callback and turns a panic in it into an error.
func callSafely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrCallback, r)
		}
	}()
	return f()
}
