package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scopekv/scope/engine"
	scope "github.com/scopekv/scope/runtime"
	kvpol "github.com/scopekv/scope/scope"
)

// benchFlags drive scope serve --bench: the engine under load without HTTP.
type benchFlags struct {
	levels                  string
	prompt, generated, reps int
}

// parseLevels reads a list such as 1,4,8.
func parseLevels(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--bench %q: want positive counts such as 1,4,8", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// benchPrompt is n token ids: BOS and a story text repeated.
func benchPrompt(m *scope.Model, n int) []int32 {
	tok := m.Tokenizer()
	text := strings.Repeat("Once upon a time, there was a little girl who liked to play in the park with her dog. ", 1+n/8)
	ids := tok.Encode(text, true, false)
	for len(ids) < n {
		ids = append(ids, ids[1:]...)
	}
	return ids[:n]
}

// runServeBench runs, for each level L, L requests of P prompt and N generated tokens at
// once with L running sequences, and prints aggregate generation tokens/s and mean time to
// first token; then the KV capacity under the budget, full KV against the --kv-* policy.
func runServeBench(m *scope.Model, f *serveFlags, kv *kvpol.Config) error {
	levels, err := parseLevels(f.bench.levels)
	if err != nil {
		return err
	}
	ids := benchPrompt(m, f.bench.prompt)
	fmt.Printf("%-8s %-8s %-10s %-10s %-12s %-10s %s\n", "parallel", "requests", "gen tok", "wall s", "gen tok/s", "ttft ms", "preempted")
	for _, l := range levels {
		eng, err := engine.New(m, engine.Options{Parallel: l, ContextLen: f.model.ctx, KVMemory: f.kv.memory(),
			StepTokens: f.step, MaxQueue: l, KV: kv})
		if err != nil {
			return err
		}
		r, err := benchMedian(eng, ids, f.bench.generated, l, max(f.bench.reps, 1))
		if err != nil {
			return err
		}
		st := eng.Stats()
		fmt.Printf("%-8d %-8d %-10d %-10.2f %-12.1f %-10.1f %d\n", l, l, r.tokens, r.wall.Seconds(),
			r.rate(), r.ttft.Seconds()*1000, st.Preemptions)
		if err := eng.Close(context.Background()); err != nil {
			return err
		}
	}
	return printCapacity(m, f, kv)
}

// benchMedian runs a level reps times and keeps the run with the median rate (the machine
// may be shared: one slow run should not decide the number).
func benchMedian(eng *engine.Engine, ids []int32, n, l, reps int) (benchResult, error) {
	var runs []benchResult
	for range reps {
		r, err := benchLevel(eng, ids, n, l)
		if err != nil {
			return r, err
		}
		runs = append(runs, r)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].rate() < runs[j].rate() })
	return runs[len(runs)/2], nil
}

func (r benchResult) rate() float64 { return float64(r.tokens) / r.wall.Seconds() }

type benchResult struct {
	tokens     int
	wall, ttft time.Duration
}

func benchLevel(eng *engine.Engine, ids []int32, n, l int) (benchResult, error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var r benchResult
	var firstErr error
	start := time.Now()
	for i := 0; i < l; i++ {
		ch, err := eng.Submit(context.Background(), engine.Request{Prompt: ids, MaxTokens: n, IgnoreEOS: true})
		if err != nil {
			return r, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ev := range ch {
				mu.Lock()
				r.ttft += ev.TTFT
				if ev.Done {
					r.tokens += ev.Usage.CompletionTokens
					if ev.Err != nil && firstErr == nil {
						firstErr = ev.Err
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	r.wall = time.Since(start)
	r.ttft /= time.Duration(l)
	return r, firstErr
}

// printCapacity reports how many sequences of the benchmark's shape the KV budget admits
// at once, with full KV and with the configured policy.
func printCapacity(m *scope.Model, f *serveFlags, kv *kvpol.Config) error {
	eng, err := engine.New(m, engine.Options{Parallel: 1, ContextLen: f.model.ctx, KVMemory: f.kv.memory(), KV: kv})
	if err != nil {
		return err
	}
	defer eng.Close(context.Background())
	full := kvpol.DefaultConfig()
	full.PageSize = kv.PageSize
	p, n := f.bench.prompt, f.bench.generated
	rf, rp := eng.Reserve(&full, p, n), eng.Reserve(kv, p, n)
	fmt.Fprintf(os.Stdout, "KV budget %.1f MiB: %d concurrent %d+%d sequences with full KV (%.2f MiB each), %d with %s+%s (%.2f MiB each)\n",
		float64(eng.Budget())/(1<<20), eng.Budget()/rf, p, n, float64(rf)/(1<<20), eng.Budget()/rp, kv.Prefill, kv.Decode, float64(rp)/(1<<20))
	return nil
}
