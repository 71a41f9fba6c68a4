package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/scopekv/scope/engine"
)

// format shapes one endpoint's responses.
type format interface {
	chunk(text string, finish *string, first bool) any // a stream chunk
	whole(text, finish string, u usage) any            // a non-streaming response
	usageChunk(u usage) any                            // the last chunk when usage is asked for
}

func (s *Server) completions(w http.ResponseWriter, r *http.Request) {
	req, err := s.decode(w, r)
	if err != nil {
		s.fail(w, err)
		return
	}
	ids, err := s.completionPrompt(req.Prompt)
	if err != nil {
		s.fail(w, err)
		return
	}
	er, err := s.engineRequest(req, ids, 16)
	if err != nil {
		s.fail(w, err)
		return
	}
	s.generate(w, r, req, er, completionFormat{s.newID("cmpl"), time.Now().Unix(), s.cfg.Model})
}

func (s *Server) chatCompletions(w http.ResponseWriter, r *http.Request) {
	req, err := s.decode(w, r)
	if err != nil {
		s.fail(w, err)
		return
	}
	ids, err := s.chatPrompt(req.Messages)
	if err != nil {
		s.fail(w, err)
		return
	}
	er, err := s.engineRequest(req, ids, 0)
	if err != nil {
		s.fail(w, err)
		return
	}
	s.generate(w, r, req, er, chatFormat{s.newID("chatcmpl"), time.Now().Unix(), s.cfg.Model})
}

// chatPrompt renders the messages with the chat template and tokenizes the result.
func (s *Server) chatPrompt(msgs []chatMessage) ([]int32, error) {
	if s.cfg.Chat == nil {
		return nil, badRequest("this model has no chat template; use /v1/completions")
	}
	if len(msgs) == 0 {
		return nil, badRequest("messages must not be empty")
	}
	conv := make([]Message, len(msgs))
	for i, m := range msgs {
		text, err := m.text()
		if err != nil {
			return nil, err
		}
		conv[i] = Message{Role: m.Role, Content: text}
	}
	prompt, err := s.cfg.Chat(conv)
	if err != nil {
		return nil, badRequest("chat template: " + err.Error())
	}
	return s.cfg.Engine.Tokenizer().Encode(prompt, true, true), nil
}

func (s *Server) newID(prefix string) string { return fmt.Sprintf("%s-%d", prefix, s.ids.Add(1)) }

// fail answers an error before any response was written.
func (s *Server) fail(w http.ResponseWriter, err error) {
	status, _ := statusOf(err)
	s.metrics.requests.WithLabelValues(fmt.Sprint(status)).Inc()
	writeError(w, err)
}

// generate submits the request and answers it whole or as a stream.
func (s *Server) generate(w http.ResponseWriter, r *http.Request, req *completionRequest, er engine.Request, f format) {
	events, err := s.cfg.Engine.Submit(r.Context(), er)
	if err != nil {
		s.fail(w, err)
		return
	}
	if req.Stream {
		s.stream(w, events, f, req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
		return
	}
	var text strings.Builder
	for ev := range events {
		s.observe(ev)
		text.WriteString(ev.Text)
		if !ev.Done {
			continue
		}
		if ev.Err != nil {
			writeError(w, ev.Err)
			return
		}
		writeJSON(w, http.StatusOK, f.whole(text.String(), ev.Finish, usageOf(ev)))
	}
}

// observe records an event in the metrics.
func (s *Server) observe(ev engine.Event) {
	if ev.TTFT > 0 {
		s.metrics.ttft.Observe(ev.TTFT.Seconds())
	}
	if !ev.Done {
		return
	}
	outcome := ev.Finish
	switch {
	case errors.Is(ev.Err, engine.ErrCancelled):
		outcome = "cancelled"
	case ev.Err != nil:
		outcome = "error"
	}
	s.metrics.requests.WithLabelValues(outcome).Inc()
}

func usageOf(ev engine.Event) usage {
	u := ev.Usage
	return usage{u.PromptTokens, u.CompletionTokens, u.PromptTokens + u.CompletionTokens}
}

// stream answers with server-sent events: a chunk per piece of text, a last chunk with
// the finish reason, the usage chunk when asked, then [DONE]. A client that goes away
// cancels the request through its context; the loop still reads to the final event.
func (s *Server) stream(w http.ResponseWriter, events <-chan engine.Event, f format, withUsage bool) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush() // the client sees the stream open while the request waits for admission
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		_ = rc.Flush()
	}
	first := true
	for ev := range events {
		s.observe(ev)
		if ev.Text != "" || (first && !ev.Done) {
			send(f.chunk(ev.Text, nil, first))
			first = false
		}
		if !ev.Done {
			continue
		}
		if ev.Err != nil {
			_, kind := statusOf(ev.Err)
			send(apiError{errorBody{Message: ev.Err.Error(), Type: kind}})
			return
		}
		finish := ev.Finish
		send(f.chunk("", &finish, first))
		if withUsage {
			send(f.usageChunk(usageOf(ev)))
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
		_ = rc.Flush()
	}
}

type completionFormat struct {
	id      string
	created int64
	model   string
}

func (c completionFormat) head(choices []completionChoice, u *usage) completion {
	return completion{ID: c.id, Object: "text_completion", Created: c.created, Model: c.model, Choices: choices, Usage: u}
}

func (c completionFormat) chunk(text string, finish *string, _ bool) any {
	return c.head([]completionChoice{{Text: text, FinishReason: finish}}, nil)
}

func (c completionFormat) whole(text, finish string, u usage) any {
	return c.head([]completionChoice{{Text: text, FinishReason: &finish}}, &u)
}

func (c completionFormat) usageChunk(u usage) any { return c.head([]completionChoice{}, &u) }

type chatFormat completionFormat

func (c chatFormat) head(object string, choices []chatChoice, u *usage) chatCompletion {
	return chatCompletion{ID: c.id, Object: object, Created: c.created, Model: c.model, Choices: choices, Usage: u}
}

func (c chatFormat) chunk(text string, finish *string, first bool) any {
	d := &chatDelta{Content: text}
	if first {
		d.Role = "assistant"
	}
	return c.head("chat.completion.chunk", []chatChoice{{Delta: d, FinishReason: finish}}, nil)
}

func (c chatFormat) whole(text, finish string, u usage) any {
	return c.head("chat.completion", []chatChoice{{Message: &chatDelta{Role: "assistant", Content: text}, FinishReason: &finish}}, &u)
}

func (c chatFormat) usageChunk(u usage) any {
	return c.head("chat.completion.chunk", []chatChoice{}, &u)
}
