package serve_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/scopekv/scope/engine"
	kvpol "github.com/scopekv/scope/scope"
)

// loadJob is one kind of request in the load test.
type loadJob struct {
	prompt string
	n      int
	kv     map[string]any // the request's KV extension; nil = the server's default
}

func (j loadJob) policy() *kvpol.Config {
	if j.kv == nil {
		return nil
	}
	c := kvpol.DefaultConfig()
	if p, ok := j.kv["prefill"].(string); ok {
		c.Prefill, _ = kvpol.ParsePrefill(p)
		c.PrefillBudget = j.kv["prefill_budget"].(int)
	}
	if d, ok := j.kv["decode"].(string); ok {
		c.Decode, _ = kvpol.ParseDecode(d)
		c.DecodeBudget, c.Recent = j.kv["decode_budget"].(int), j.kv["recent"].(int)
	}
	return &c
}

var loadJobs = []loadJob{
	{"Once upon a time", 16, nil},
	{"The little dog ran to the park and saw a big red ball. He wanted to play with it, so he", 24, nil},
	{"Lily liked to play in the garden with her friends every day. She", 20,
		map[string]any{"prefill": "snapkv", "prefill_budget": 12}},
	{"Tom had a toy car", 32, map[string]any{"decode": "slide", "decode_budget": 12, "recent": 4}},
	{"One day, a girl named Sue went to the store with her mom. They bought apples and", 28,
		map[string]any{"decode": "adaptive", "decode_budget": 16, "recent": 8}},
	{"The sun was hot", 8, nil},
	{"A big bird", 20, map[string]any{"decode": "slide", "decode_budget": 8, "recent": 2}},
	{"Mia and Ben found a box in the attic. Inside the box", 12, map[string]any{"prefill": "snapkv", "prefill_budget": 10}},
}

// TestLoad64Clients runs 64 concurrent clients (streaming and not, mixed prompt lengths
// and KV policies) against 8 running sequences and checks every answer against the same
// request run alone, then that the KV memory and the goroutines are back where they were.
func TestLoad64Clients(t *testing.T) {
	f := newFixture(t, engine.Options{Parallel: 8, StepTokens: 64})
	want := make([]string, len(loadJobs))
	for i, j := range loadJobs {
		want[i] = singleRun(t, f.m, j.prompt, j.n, j.policy())
	}
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for c := 0; c < 64; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j := loadJobs[c%len(loadJobs)]
			got, err := f.loadRequest(ctx, j, c%3 == 0)
			switch {
			case err != nil:
				errs <- fmt.Errorf("client %d: %w", c, err)
			case got != want[c%len(loadJobs)]:
				errs <- fmt.Errorf("client %d (job %d): got %q, want %q", c, c%len(loadJobs), got, want[c%len(loadJobs)])
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s := f.eng.Stats()
	t.Logf("64 requests in %v: %d tokens generated, %d prompt tokens, %d preemptions", time.Since(start).Round(time.Millisecond),
		s.GeneratedTokens, s.PromptTokens, s.Preemptions)
	waitIdle(t, f.eng)
	f.tr.CloseIdleConnections()
	settleGoroutines(t, base)
}

// loadRequest sends one job and checks the response's shape; it returns the text.
func (f *fixture) loadRequest(ctx context.Context, j loadJob, stream bool) (string, error) {
	p := greedyCompletion(j.prompt, j.n)
	var opts []option.RequestOption
	if j.kv != nil {
		opts = append(opts, option.WithJSONSet("kv", j.kv))
	}
	if !stream {
		res, err := f.client.Completions.New(ctx, p, opts...)
		if err != nil {
			return "", err
		}
		c := res.Choices
		if len(c) != 1 || res.ID == "" || res.Object != "text_completion" || (c[0].FinishReason != "length" && c[0].FinishReason != "stop") ||
			res.Usage.TotalTokens != res.Usage.PromptTokens+res.Usage.CompletionTokens || res.Usage.CompletionTokens > int64(j.n) {
			return "", fmt.Errorf("malformed response %+v", res)
		}
		return c[0].Text, nil
	}
	p.StreamOptions.IncludeUsage = openai.Bool(true)
	s := f.client.Completions.NewStreaming(ctx, p, opts...)
	defer s.Close()
	var text strings.Builder
	finishes, usages := 0, 0
	for s.Next() {
		c := s.Current()
		if c.ID == "" || c.Object != "text_completion" {
			return "", fmt.Errorf("malformed chunk %+v", c)
		}
		if c.Usage.TotalTokens > 0 {
			usages++
		}
		for _, ch := range c.Choices {
			text.WriteString(ch.Text)
			if ch.FinishReason != "" {
				finishes++
			}
		}
	}
	if err := s.Err(); err != nil {
		return "", err
	}
	if finishes != 1 || usages != 1 {
		return "", fmt.Errorf("stream had %d finish chunks and %d usage chunks", finishes, usages)
	}
	return text.String(), nil
}
