package engine

import "errors"

// Errors returned by Submit and carried by a failed request's last Event; test with
// errors.Is. ErrBadRequest wraps every error caused by the request itself.
var (
	ErrBadRequest  = errors.New("bad request")
	ErrPromptLen   = wrapBad("prompt does not fit the context")
	ErrNeverFits   = wrapBad("request can never fit the KV memory")
	ErrQueueFull   = errors.New("queue full")
	ErrDraining    = errors.New("engine is shutting down")
	ErrCancelled   = errors.New("request cancelled")
	ErrInterrupted = errors.New("engine stopped before the request finished")
)

type badRequest struct{ msg string }

func (e badRequest) Error() string        { return e.msg }
func (e badRequest) Is(target error) bool { return target == ErrBadRequest }

func wrapBad(msg string) error { return badRequest{msg} }
