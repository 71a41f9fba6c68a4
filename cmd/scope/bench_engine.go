package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scopekv/scope/engine"
	scope "github.com/scopekv/scope/runtime"
)

// The engine driving code shared by scope bench --parallel and --capacity: distinct
// prompts of a given length, submitted at once, read to the end.

// parseLevels reads a list of positive counts such as 1,4,8.
func parseLevels(flagName, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s %q: want positive counts such as 1,4,8", flagName, s)
		}
		out = append(out, n)
	}
	return out, nil
}

// benchPrompts are k prompts of n token ids: BOS and a story text repeated, each rotated
// by a different offset so that no two sequences share a prefix past BOS.
func benchPrompts(m *scope.Model, n, k int) [][]int32 {
	tok := m.Tokenizer()
	text := strings.Repeat("Once upon a time, there was a little girl who liked to play in the park with her dog. ", 1+(n+k)/8)
	ids := tok.Encode(text, true, false)
	for len(ids) < n+k+1 {
		ids = append(ids, ids[1:]...)
	}
	out := make([][]int32, k)
	for i := range out {
		p := make([]int32, n)
		p[0] = ids[0]
		copy(p[1:], ids[1+i:])
		out[i] = p
	}
	return out
}

// batchRun is what one batch of requests did.
type batchRun struct {
	tokens  int           // generated, all requests
	wall    time.Duration // from SubmitAll to the last final event
	ttft    time.Duration // mean time to first token
	started int           // requests that produced a first token
	err     error         // the first request error
}

// runBatch submits one request per prompt at once (end of text ignored, maxNew tokens
// each) and reads every event to the end; cancelling ctx cancels the requests.
func runBatch(ctx context.Context, eng *engine.Engine, prompts [][]int32, maxNew int) (batchRun, error) {
	reqs := make([]engine.Request, len(prompts))
	for i, p := range prompts {
		reqs[i] = engine.Request{Prompt: p, MaxTokens: maxNew, IgnoreEOS: true}
	}
	var r batchRun
	start := time.Now()
	chans, err := eng.SubmitAll(ctx, reqs)
	if err != nil {
		return r, err
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, ch := range chans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ev := range ch {
				mu.Lock()
				if ev.TTFT > 0 {
					r.ttft += ev.TTFT
					r.started++
				}
				if ev.Done {
					r.tokens += ev.Usage.CompletionTokens
					if ev.Err != nil && r.err == nil {
						r.err = ev.Err
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	r.wall = time.Since(start)
	if r.started > 0 {
		r.ttft /= time.Duration(r.started)
	}
	return r, nil
}
