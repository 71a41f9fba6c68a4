package serve

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/scopekv/scope/engine"
)

// apiError is OpenAI's error body.
type apiError struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// httpError is an error with the status it answers.
type httpError struct {
	status int
	kind   string
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(msg string) *httpError {
	return &httpError{http.StatusBadRequest, "invalid_request_error", msg}
}

// statusOf maps an error to its HTTP status and OpenAI error type.
func statusOf(err error) (int, string) {
	var h *httpError
	switch {
	case errors.As(err, &h):
		return h.status, h.kind
	case errors.Is(err, engine.ErrBadRequest):
		return http.StatusBadRequest, "invalid_request_error"
	case errors.Is(err, engine.ErrQueueFull):
		return http.StatusTooManyRequests, "rate_limit_exceeded"
	case errors.Is(err, engine.ErrDraining):
		return http.StatusServiceUnavailable, "unavailable"
	}
	return http.StatusInternalServerError, "server_error"
}

// writeError answers err as OpenAI's error JSON.
func writeError(w http.ResponseWriter, err error) {
	status, kind := statusOf(err)
	writeJSON(w, status, apiError{errorBody{Message: err.Error(), Type: kind}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
