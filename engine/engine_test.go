package engine

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/runtime"
	"github.com/scopekv/scope/scope"
)

func openStories(t *testing.T) *runtime.Model {
	t.Helper()
	m, err := runtime.Open(testdata.Path(t, "gguf", "stories260K.gguf"), runtime.Config{Backend: "cpu", Threads: 1, ContextLen: 256})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func slide(d, r int) *scope.Config {
	c := scope.DefaultConfig()
	c.Decode, c.DecodeBudget, c.Recent = scope.DecodeSlide, d, r
	return &c
}

func snap(p int) *scope.Config {
	c := scope.DefaultConfig()
	c.Prefill, c.PrefillBudget = scope.PrefillSnapKV, p
	return &c
}

// single is the reference: the same request alone in its own session.
func single(t *testing.T, m *runtime.Model, prompt string, n int, kv *scope.Config) string {
	t.Helper()
	if kv == nil {
		d := scope.DefaultConfig()
		kv = &d
	}
	s, err := m.NewSession(runtime.SessionOptions{ContextLen: 256, KV: kv})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Generate(context.Background(), prompt, runtime.GenerateOptions{MaxTokens: n})
	if err != nil {
		t.Fatal(err)
	}
	return res.Text
}

// collect reads a request's events to the end.
func collect(t *testing.T, ch <-chan Event) (string, Event) {
	t.Helper()
	var sb strings.Builder
	timeout := time.After(60 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("channel closed without a final event")
			}
			sb.WriteString(ev.Text)
			if ev.Done {
				return sb.String(), ev
			}
		case <-timeout:
			t.Fatal("request did not finish in 60 s")
		}
	}
}

func newEngine(t *testing.T, m *runtime.Model, opt Options) *Engine {
	t.Helper()
	opt.ContextLen = 256
	e, err := New(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := e.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return e
}

func (e *Engine) encode(text string) []int32 { return e.tok.Encode(text, true, false) }

type job struct {
	prompt string
	n      int
	kv     *scope.Config
}

var mixed = []job{
	{"Once upon a time", 40, nil},
	{"The little dog ran to the park and saw a big red ball. He", 60, slide(16, 8)},
	{"Lily liked to play in the garden with her friends every day. She", 30, snap(12)},
	{"One day, a girl named Sue went to the store with her mom. They", 50, nil},
	{"Tom had a toy car", 70, slide(24, 4)},
	{"The sun was hot", 20, nil},
}

func TestGreedyMixedPoliciesMatchSingleRuns(t *testing.T) {
	m := openStories(t)
	e := newEngine(t, m, Options{Parallel: 4, StepTokens: 32})
	var chans []<-chan Event
	for _, j := range mixed {
		ch, err := e.Submit(context.Background(), Request{Prompt: e.encode(j.prompt), MaxTokens: j.n, KV: j.kv})
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	for i, ch := range chans {
		got, last := collect(t, ch)
		if last.Err != nil {
			t.Fatalf("request %d: %v", i, last.Err)
		}
		if want := single(t, m, mixed[i].prompt, mixed[i].n, mixed[i].kv); got != want {
			t.Errorf("request %d:\n got %q\nwant %q", i, got, want)
		}
		if last.Usage.CompletionTokens == 0 || last.Finish == "" {
			t.Errorf("request %d: final event %+v", i, last)
		}
	}
	if p := e.Stats().Preemptions; p != 0 {
		t.Errorf("%d preemptions: a projection fell short", p)
	}
	waitIdle(t, e)
}

// waitIdle waits for the engine to hold no memory and no requests.
func waitIdle(t *testing.T, e *Engine) {
	t.Helper()
	for i := 0; i < 200; i++ {
		s := e.Stats()
		if s.Running == 0 && s.Waiting == 0 && s.KVInUse == 0 && s.PoolPagesUsed == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("engine not idle: %+v", e.Stats())
}

func TestSlideProjectionAdmitsMoreThanFullKV(t *testing.T) {
	m := openStories(t)
	e := newEngine(t, m, Options{Parallel: 2})
	full := e.reserve(*e.opt.KV, 16, 230)
	sl := e.reserve(*slide(32, 16), 16, 230)
	if 3*sl > full {
		t.Fatalf("Slide D=32 reserves %d bytes, full KV %d: want at least 3x fewer", sl, full)
	}
}

func TestPreemptedSequenceIsRecomputed(t *testing.T) {
	m := openStories(t)
	// A pool that holds the longer sequence but not both, and reservations too small: both
	// start, the pool runs out, one is preempted and recomputed after the other.
	probe := newEngine(t, m, Options{Parallel: 2})
	e := newEngine(t, m, Options{Parallel: 2, KVMemory: probe.reserve(*probe.opt.KV, 16, 80)})
	proj := e.reserve
	e.reserve = func(kv scope.Config, prompt, maxNew int) int64 { return proj(kv, prompt, 1) }
	var chans []<-chan Event
	jobs := []job{mixed[1], mixed[3]} // 22+60 and 24+50 tokens: 6 and 5 pages per unit
	for _, j := range jobs {
		j.kv = nil
		ch, err := e.Submit(context.Background(), Request{Prompt: e.encode(j.prompt), MaxTokens: j.n})
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	for i, ch := range chans {
		got, last := collect(t, ch)
		if last.Err != nil {
			t.Fatalf("request %d: %v", i, last.Err)
		}
		if want := single(t, m, jobs[i].prompt, jobs[i].n, nil); got != want {
			t.Errorf("request %d after preemption:\n got %q\nwant %q", i, got, want)
		}
	}
	if p := e.Stats().Preemptions; p == 0 {
		t.Error("no preemption")
	}
	waitIdle(t, e)
}

func TestBadRequestsChangeNothing(t *testing.T) {
	m := openStories(t)
	e := newEngine(t, m, Options{Parallel: 2, KVMemory: 1 << 20})
	long := make([]int32, 300)
	for i := range long {
		long[i] = 5
	}
	bad := slide(300, 8)
	cases := map[string]struct {
		req  Request
		want error
	}{
		"empty":      {Request{}, ErrBadRequest},
		"vocab":      {Request{Prompt: []int32{1, 9999}}, ErrBadRequest},
		"long":       {Request{Prompt: long}, ErrPromptLen},
		"max tokens": {Request{Prompt: []int32{1}, MaxTokens: 1e9}, ErrBadRequest},
		"policy":     {Request{Prompt: []int32{1}, KV: bad}, ErrBadRequest},
		"stop":       {Request{Prompt: []int32{1}, Stop: []string{""}}, ErrBadRequest},
		"top_p":      {Request{Prompt: []int32{1}, Sampling: runtime.Sampling{TopP: 2}}, ErrBadRequest},
		"temp NaN":   {Request{Prompt: []int32{1}, Sampling: runtime.Sampling{Temperature: float32(math.NaN())}}, ErrBadRequest},
		"min_p NaN":  {Request{Prompt: []int32{1}, Sampling: runtime.Sampling{MinP: float32(math.NaN())}}, ErrBadRequest},
	}
	for name, c := range cases {
		if _, err := e.Submit(context.Background(), c.req); !errors.Is(err, c.want) || !errors.Is(err, ErrBadRequest) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
	}
	if s := e.Stats(); s.Waiting != 0 || s.KVInUse != 0 || s.PromptTokens != 0 {
		t.Errorf("bad requests changed the engine: %+v", s)
	}
}

func TestNeverFits(t *testing.T) {
	m := openStories(t)
	e := newEngine(t, m, Options{Parallel: 2, KVMemory: 64 << 10})
	_, err := e.Submit(context.Background(), Request{Prompt: e.encode("Once upon a time"), MaxTokens: 200})
	if !errors.Is(err, ErrNeverFits) {
		t.Fatalf("got %v, want ErrNeverFits", err)
	}
}

func TestCancelFreesMemoryWithinAStep(t *testing.T) {
	m := openStories(t)
	e := newEngine(t, m, Options{Parallel: 2})
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := e.Submit(ctx, Request{Prompt: e.encode("Once upon a time"), MaxTokens: 200})
	if err != nil {
		t.Fatal(err)
	}
	<-ch // the first token: the sequence is running
	if e.Stats().KVInUse == 0 {
		t.Fatal("a running sequence holds no memory")
	}
	cancel()
	_, last := collect(t, ch)
	if !errors.Is(last.Err, ErrCancelled) {
		t.Fatalf("final event %+v, want ErrCancelled", last)
	}
	waitIdle(t, e)
}

func TestQueueLimitAndDrain(t *testing.T) {
	m := openStories(t)
	e, err := New(m, Options{Parallel: 1, MaxQueue: 2, ContextLen: 256})
	if err != nil {
		t.Fatal(err)
	}
	var chans []<-chan Event
	var full int
	for i := 0; i < 6; i++ {
		ch, err := e.Submit(context.Background(), Request{Prompt: e.encode("Once upon a time"), MaxTokens: 30})
		switch {
		case errors.Is(err, ErrQueueFull):
			full++
		case err != nil:
			t.Fatal(err)
		default:
			chans = append(chans, ch)
		}
	}
	if full == 0 {
		t.Error("the queue limit never answered ErrQueueFull")
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := e.Close(ctx); err != nil {
			t.Errorf("drain: %v", err)
		}
	}()
	for i, ch := range chans {
		if _, last := collect(t, ch); last.Err != nil || last.Finish != "length" {
			t.Errorf("request %d not drained: %+v", i, last)
		}
	}
	wg.Wait()
	if _, err := e.Submit(context.Background(), Request{Prompt: []int32{1}}); !errors.Is(err, ErrDraining) {
		t.Errorf("submit after close: %v", err)
	}
}

// slowRunner is a BatchRunner whose steps take at least a millisecond, so a request
// submitted while another decodes finds it still running.
type slowRunner struct{ *BatchRunner }

func (r slowRunner) Step(ctx context.Context, work []Work) {
	time.Sleep(time.Millisecond)
	r.BatchRunner.Step(ctx, work)
}

// A request whose prompt begins like a running one's shares its leading pages and still
// produces the tokens of a run alone.
func TestSharedPromptPrefix(t *testing.T) {
	m := openStories(t)
	budget := 2 * newEngine(t, m, Options{Parallel: 1}).Reserve(nil, 0, 256)
	br, err := NewBatchRunner(m, runtime.BatchOptions{ContextLen: 256, KVMemory: budget, Seqs: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	e := newEngine(t, m, Options{Parallel: 2, KVMemory: budget, Runner: slowRunner{br}})
	story := "Once upon a time, there was a little girl named Lily. She loved to play outside in the sun with her dog and her friends."
	first, err := e.Submit(context.Background(), Request{Prompt: e.encode(story), MaxTokens: 200, IgnoreEOS: true})
	if err != nil {
		t.Fatal(err)
	}
	<-first // its prompt is in and it decodes
	<-first
	branch := story + " One day, Lily"
	second, err := e.Submit(context.Background(), Request{Prompt: e.encode(branch), MaxTokens: 30})
	if err != nil {
		t.Fatal(err)
	}
	got, last := collect(t, second)
	if last.Err != nil {
		t.Fatal(last.Err)
	}
	if want := single(t, m, branch, 30, nil); got != want {
		t.Errorf("branch:\n got %q\nwant %q", got, want)
	}
	if _, last := collect(t, first); last.Err != nil {
		t.Fatal(last.Err)
	}
	if s := e.Stats(); s.SharedPromptTokens < 16 {
		t.Errorf("%d prompt tokens shared, want at least a page", s.SharedPromptTokens)
	}
	waitIdle(t, e)
}

// stepLog is a BatchRunner that records, per step, how many decode tokens and prompt
// continuations it carried.
type stepLog struct {
	*BatchRunner
	mixed int // steps with a decode token and a prompt continuation
}

func (r *stepLog) Step(ctx context.Context, work []Work) {
	decode, cont := 0, 0
	for _, w := range work {
		switch {
		case !w.Prefill && len(w.Tokens) > 0:
			decode++
		case !w.Prefill:
			cont++
		}
	}
	if decode > 0 && cont > 0 {
		r.mixed++
	}
	time.Sleep(time.Millisecond) // the first request is still decoding when the second comes
	r.BatchRunner.Step(ctx, work)
}

// A prompt longer than a step's tokens goes in over several steps, and the sequences
// already decoding go on in each of them; the long one produces the tokens of a run alone.
func TestLongPromptDoesNotStallDecoding(t *testing.T) {
	m := openStories(t)
	budget := 2 * newEngine(t, m, Options{Parallel: 1}).Reserve(nil, 0, 256)
	br, err := NewBatchRunner(m, runtime.BatchOptions{ContextLen: 256, KVMemory: budget, Seqs: 2, StepTokens: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	log := &stepLog{BatchRunner: br}
	e := newEngine(t, m, Options{Parallel: 2, KVMemory: budget, StepTokens: 16, Runner: log})
	short := "Once upon a time"
	first, err := e.Submit(context.Background(), Request{Prompt: e.encode(short), MaxTokens: 200, IgnoreEOS: true})
	if err != nil {
		t.Fatal(err)
	}
	<-first
	long := strings.Repeat("The little dog ran to the park and saw a big red ball. ", 6)
	second, err := e.Submit(context.Background(), Request{Prompt: e.encode(long), MaxTokens: 10})
	if err != nil {
		t.Fatal(err)
	}
	got, last := collect(t, second)
	if last.Err != nil {
		t.Fatal(last.Err)
	}
	if want := single(t, m, long, 10, nil); got != want {
		t.Errorf("long prompt:\n got %q\nwant %q", got, want)
	}
	if _, last := collect(t, first); last.Err != nil {
		t.Fatal(last.Err)
	}
	if log.mixed < 3 {
		t.Errorf("%d steps carried a decode token with a prompt continuation, want several", log.mixed)
	}
	waitIdle(t, e)
}
