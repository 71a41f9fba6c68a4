package runtime

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/scopekv/scope/internal/sample"
	"github.com/scopekv/scope/scope"
)

// Sampling configures token selection. The zero value is greedy. Generate rejects NaN,
// infinite and out-of-range values with ErrBadConfig (see ErrNoCandidates for NaN logits).
type Sampling struct {
	Temperature   float32 // 0 = greedy (argmax)
	TopK          int     // keep the K most likely tokens; 0 = all
	TopP          float32 // keep the smallest set holding this probability; 0 or 1 = all
	MinP          float32 // drop tokens below MinP times the most likely one's probability; 0 = off
	RepeatPenalty float32 // above 1 makes recent tokens less likely (as llama.cpp); 0 or 1 = off
	RepeatLastN   int     // tokens the repetition penalty looks back at; 0 = 64
	Seed          uint64  // random seed; the same seed and options give the same tokens
}

// Greedy is deterministic argmax sampling.
var Greedy = Sampling{}

// GenerateOptions configures Generate.
type GenerateOptions struct {
	MaxTokens int      // new tokens to generate; 0 = until end of text or a full context; < 0 is an error
	Sampling  Sampling // zero value: greedy
	NoBOS     bool     // do not add the tokenizer's BOS token
	// Stop ends generation at the first of these strings; the text (streamed and in
	// Result.Text) ends before it. Streaming holds back text that may begin a stop string.
	Stop []string
	// IgnoreEOS keeps generating past end-of-text: end tokens are never sampled.
	IgnoreEOS bool
	// Stream, when set, receives the text as it is produced. In Generate its first call
	// always carries the prompt's own text (possibly empty; skip that call to show only new
	// text) and each later call one generated piece; Continue sends generated pieces only.
	// Returning an error stops generation with that error; a panic in it is recovered and
	// returned as an error wrapping ErrCallback.
	Stream func(text string) error
}

// Result summarises a generation.
type Result struct {
	Text         string        // generated text (without the prompt)
	Tokens       []int32       // generated token ids
	PromptTokens int           // prompt tokens evaluated, BOS included
	PromptTime   time.Duration // evaluating the prompt
	GenerateTime time.Duration // sampling and evaluating the new tokens
	StopReason   string        // "eos", "length", "context", "stop"; "cancelled" or "error" with an error
	KV           *scope.Report // KV policy accounting (nil without a policy)
}

// PromptTokensPerSec is the measured prompt-processing speed.
func (r *Result) PromptTokensPerSec() float64 { return rate(r.PromptTokens, r.PromptTime) }

// GenTokensPerSec is the measured generation speed.
func (r *Result) GenTokensPerSec() float64 { return rate(len(r.Tokens), r.GenerateTime) }

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Generate tokenizes prompt, evaluates it from the start of the session, and samples up to
// MaxTokens new tokens. The session is reset first. When generation stops on an error
// after the prompt (a cancelled context, a closed model or session, a Stream error), the
// result so far comes back with the error and its StopReason says why.
// The last of MaxTokens tokens is not evaluated (nothing reads its KV entry), so the session
// ends at position prompt+T-1.
func (s *Session) Generate(ctx context.Context, prompt string, opts GenerateOptions) (*Result, error) {
	ctx, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer s.exit()
	if err := opts.check(); err != nil {
		return nil, err
	}
	tok := s.m.file.Tokenizer
	ids := tok.Encode(prompt, !opts.NoBOS, false)
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: empty prompt and no BOS token", ErrBadConfig)
	}
	if err := s.begin(len(ids), opts.MaxTokens); err != nil {
		return nil, err
	}
	out := newTextStream(tok, opts.Stream)
	out.stopAt(opts.Stop)
	if err := out.prompt(ids); err != nil {
		return nil, err
	}
	res := &Result{PromptTokens: len(ids), StopReason: "length"}
	start := time.Now()
	logits, err := s.eval(ctx, ids)
	if err != nil {
		return nil, err
	}
	res.PromptTime = time.Since(start)
	if err = s.sampleLoop(ctx, logits, opts, res, out); err == nil {
		err = out.finish()
	}
	return s.finish(res, out, start, err)
}

// check rejects options Generate and Continue cannot run with.
func (o *GenerateOptions) check() error {
	if o.MaxTokens < 0 {
		return fmt.Errorf("%w: MaxTokens %d is negative (0 means up to the context)", ErrBadConfig, o.MaxTokens)
	}
	return o.Sampling.validate()
}

// finish completes res once the answer ends (err, if any, names the stop reason).
func (s *Session) finish(res *Result, out *textStream, start time.Time, err error) (*Result, error) {
	res.GenerateTime = time.Since(start) - res.PromptTime
	res.Text = out.generated.String()
	res.KV = s.kvReport()
	if err != nil {
		res.StopReason = stopReason(err)
	}
	return res, err
}

// stopReason names why a generation stopped on err.
func stopReason(err error) string {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrClosed) {
		return "cancelled"
	}
	return "error"
}

func (s *Session) sampleLoop(ctx context.Context, logits []float32, opts GenerateOptions, res *Result, out *textStream) error {
	smp := sample.New(opts.Sampling.params())
	tok := s.m.file.Tokenizer
	var ends []int32
	if opts.IgnoreEOS {
		ends = endTokens(tok)
	}
	for opts.MaxTokens <= 0 || len(res.Tokens) < opts.MaxTokens {
		suppress(logits, ends)
		id, err := smp.Sample(logits, s.history)
		if err != nil {
			return err
		}
		next := int32(id)
		if tok.IsEOG(next) || next == tok.BOS() {
			res.StopReason = "eos"
			return nil
		}
		res.Tokens = append(res.Tokens, next)
		if err := out.token(next); err != nil {
			if errors.Is(err, errStopString) {
				res.StopReason, err = "stop", nil
			}
			return err
		}
		if opts.MaxTokens > 0 && len(res.Tokens) == opts.MaxTokens {
			return nil // the last token is returned, never evaluated: T tokens, T-1 passes
		}
		if s.pos >= s.ctxLen {
			res.StopReason = "context"
			return nil
		}
		if logits, err = s.eval(ctx, []int32{next}); err != nil {
			if errors.Is(err, ErrContextFull) {
				res.StopReason = "context"
				return nil
			}
			return err
		}
	}
	return nil
}
