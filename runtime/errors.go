package runtime

import (
	"errors"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/kv"
	"github.com/scopekv/scope/model"
)

// Errors returned by this package; test with errors.Is.
var (
	ErrContextFull = errors.New("context full")
	ErrUnsupported = model.ErrUnsupported   // the model (architecture, tensor type)
	ErrNoDevice    = backend.ErrUnsupported // the backend or device cannot be used here
	ErrOutOfMemory = backend.ErrOutOfMemory
	ErrDeviceLost  = backend.ErrDeviceLost
	ErrOutOfPages  = kv.ErrOutOfPages           // the paged KV pool is full (SessionOptions.KVMemory)
	ErrClosed      = backend.ErrClosed          // the model or session was closed (before or during the call)
	ErrBusy        = errors.New("session busy") // another call is running on the session
	ErrBadConfig   = errors.New("invalid configuration")
)

// badConfig marks a lower package's configuration error as ErrBadConfig without repeating
// its message.
type badConfig struct{ err error }

func (e badConfig) Error() string        { return e.err.Error() }
func (e badConfig) Unwrap() error        { return e.err }
func (e badConfig) Is(target error) bool { return target == ErrBadConfig }
