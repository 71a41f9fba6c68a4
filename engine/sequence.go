package engine

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/scopekv/scope/internal/sample"
	"github.com/scopekv/scope/scope"
)

// sequence is a request inside the engine.
type sequence struct {
	ctx     context.Context
	prompt  []int32
	maxNew  int
	kv      scope.Config
	events  chan Event
	smp     *sample.Sampler
	text    *textOut
	penalty int // tokens the repetition penalty looks back at
	noEOS   bool
	start   time.Time

	reserve   int64 // KV bytes held while running
	full      int64 // the most it can need
	seq       Seq   // nil while waiting
	out       []int32
	prefilled bool // the prompt is in: the sequence decodes
	prompting bool // the runner holds a prompt that is partly in (Work.Pending)
	first     bool // the first event has been sent
}

// newSequence checks a request and prepares its state.
func (e *Engine) newSequence(ctx context.Context, req Request) (*sequence, error) {
	n := len(req.Prompt)
	if n == 0 {
		return nil, fmt.Errorf("%w: empty prompt", ErrBadRequest)
	}
	for _, t := range req.Prompt {
		if t < 0 || int(t) >= e.vocab {
			return nil, fmt.Errorf("%w: token %d outside the vocabulary of %d", ErrBadRequest, t, e.vocab)
		}
	}
	if n >= e.geo.context {
		return nil, fmt.Errorf("%w: the prompt has %d tokens, the context holds %d", ErrPromptLen, n, e.geo.context)
	}
	maxNew := req.MaxTokens
	if maxNew < 0 || maxNew > e.geo.context-n {
		return nil, fmt.Errorf("%w: max_tokens %d after a prompt of %d tokens exceeds the context of %d", ErrBadRequest, maxNew, n, e.geo.context)
	}
	if maxNew == 0 {
		maxNew = e.geo.context - n
	}
	kv := *e.opt.KV
	if req.KV != nil {
		kv = *req.KV
	}
	if err := kv.Validate(e.geo.context); err != nil {
		return nil, fmt.Errorf("%w: KV policy: %v", ErrBadRequest, err)
	}
	if err := checkSampling(req); err != nil {
		return nil, err
	}
	s := &sequence{ctx: ctx, prompt: req.Prompt, maxNew: maxNew, kv: kv, events: make(chan Event, maxNew+2),
		text: newTextOut(e.tok, req.Prompt[n-1], req.Stop), start: time.Now()}
	s.reserve, s.full = e.reserve(kv, n, maxNew), e.geo.fullBytes(kv, n, maxNew)
	if s.reserve > e.budget {
		return nil, fmt.Errorf("%w: it needs %d KV bytes, the engine has %d", ErrNeverFits, s.reserve, e.budget)
	}
	s.noEOS = req.IgnoreEOS
	p := req.Sampling
	s.penalty = cmp.Or(p.RepeatLastN, 64)
	s.smp = sample.New(sample.Params{Temperature: p.Temperature, TopK: p.TopK, TopP: p.TopP, MinP: p.MinP,
		RepeatPenalty: p.RepeatPenalty, RepeatLastN: s.penalty, Seed: p.Seed})
	return s, nil
}

func checkSampling(req Request) error {
	p := req.Sampling
	switch {
	case p.Temperature < 0 || p.TopK < 0 || p.TopP < 0 || p.TopP > 1 || p.MinP < 0 || p.MinP > 1 || p.RepeatPenalty < 0 || p.RepeatLastN < 0:
		return fmt.Errorf("%w: sampling parameter out of range", ErrBadRequest)
	case (sample.Params{Temperature: p.Temperature, TopP: p.TopP, MinP: p.MinP, RepeatPenalty: p.RepeatPenalty}).Validate() != nil:
		return fmt.Errorf("%w: sampling parameter NaN or infinite", ErrBadRequest)
	case len(req.Stop) > 4:
		return fmt.Errorf("%w: at most 4 stop strings", ErrBadRequest)
	}
	for _, s := range req.Stop {
		if s == "" {
			return fmt.Errorf("%w: empty stop string", ErrBadRequest)
		}
	}
	return nil
}

// recent is the history the repetition penalty sees.
func (s *sequence) recent() []int32 {
	all := append(s.prompt[:len(s.prompt):len(s.prompt)], s.out...)
	return all[max(0, len(all)-s.penalty):]
}

// work is the sequence's share of the next step.
func (s *sequence) work() Work {
	if s.prompting {
		return Work{Seq: s.seq} // the rest of the prompt
	}
	if !s.prefilled {
		ids := append(s.prompt[:len(s.prompt):len(s.prompt)], s.out...)
		return Work{Seq: s.seq, Tokens: ids, Prefill: true, MaxNew: s.maxNew - len(s.out)}
	}
	return Work{Seq: s.seq, Tokens: s.out[len(s.out)-1:]}
}

// tokens is what the work will evaluate (for the step budget).
func (s *sequence) tokens() int {
	if !s.prefilled && !s.prompting {
		return len(s.prompt) + len(s.out)
	}
	return 1
}

// send delivers an event; the channel has room for every event of the request.
func (s *sequence) send(ev Event) {
	ev.Tokens = len(s.out)
	ev.Usage = Usage{PromptTokens: len(s.prompt), CompletionTokens: len(s.out)}
	if !s.first {
		s.first = true
		ev.TTFT = time.Since(s.start)
	}
	s.events <- ev
}

// finish sends the last event and closes the channel.
func (s *sequence) finish(reason string, err error) {
	if err == nil {
		if t := s.text.flush(); t != "" {
			s.send(Event{Text: t})
		}
	}
	s.send(Event{Done: true, Finish: reason, Err: err})
	close(s.events)
}
