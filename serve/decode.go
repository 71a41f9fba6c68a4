package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/scopekv/scope/engine"
	"github.com/scopekv/scope/runtime"
)

// decode reads a request body within the size limit: too large is 413, malformed JSON or a
// field of the wrong type 400.
func (s *Server) decode(w http.ResponseWriter, r *http.Request) (*completionRequest, error) {
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	var req completionRequest
	err := json.NewDecoder(body).Decode(&req)
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return nil, &httpError{http.StatusRequestEntityTooLarge, "invalid_request_error",
			fmt.Sprintf("request body larger than %d bytes", s.cfg.MaxBodyBytes)}
	case errors.As(err, &typeErr):
		return nil, badRequest(fmt.Sprintf("field %q must be %s, not a JSON %s", typeErr.Field, typeErr.Type, typeErr.Value))
	case err != nil:
		return nil, badRequest("malformed JSON body: " + err.Error())
	}
	return &req, nil
}

// engineRequest turns the OpenAI fields into an engine request for prompt ids; defMax is
// the endpoint's default max_tokens (0 = the rest of the context).
func (s *Server) engineRequest(req *completionRequest, ids []int32, defMax int) (engine.Request, error) {
	er := engine.Request{Prompt: ids}
	if req.N != nil && *req.N != 1 {
		return er, badRequest("n must be 1")
	}
	max := req.MaxTokens
	if req.MaxCompletionTokens != nil {
		max = req.MaxCompletionTokens
	}
	switch {
	case max == nil:
		er.MaxTokens = min(defMax, s.cfg.MaxTokens)
		if defMax == 0 {
			er.MaxTokens = min(s.cfg.MaxTokens, s.cfg.Engine.Context()-len(ids))
		}
	case *max < 1 || *max > s.cfg.MaxTokens:
		return er, badRequest(fmt.Sprintf("max_tokens %d must be in 1..%d", *max, s.cfg.MaxTokens))
	default:
		er.MaxTokens = *max
	}
	er.Sampling = runtime.Sampling{Temperature: 1, Seed: uint64(time.Now().UnixNano())}
	if req.Temperature != nil {
		er.Sampling.Temperature = *req.Temperature
	}
	if req.TopP != nil {
		er.Sampling.TopP = *req.TopP
	}
	if req.Seed != nil {
		er.Sampling.Seed = uint64(*req.Seed)
	}
	var err error
	if er.Stop, err = stringOrList(req.Stop, "stop"); err != nil {
		return er, err
	}
	er.KV, err = req.KV.config(s.cfg.KV)
	return er, err
}

// completionPrompt tokenizes the prompt: a string, an array of one string, or token ids.
func (s *Server) completionPrompt(raw json.RawMessage) ([]int32, error) {
	tok := s.cfg.Engine.Tokenizer()
	texts, err := stringOrList(raw, "prompt")
	if err == nil {
		if len(texts) != 1 {
			return nil, badRequest("prompt must be one string (batches of prompts are not supported)")
		}
		return tok.Encode(texts[0], true, false), nil
	}
	var ids []int32
	if json.Unmarshal(raw, &ids) != nil {
		return nil, badRequest("prompt must be a string, an array of one string, or an array of token ids")
	}
	return ids, nil
}
