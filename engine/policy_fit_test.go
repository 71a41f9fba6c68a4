package engine

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
	"github.com/scopekv/scope/runtime"
	"github.com/scopekv/scope/scope"
)

// recordingRunner is a BatchRunner that keeps every decode token each sequence was fed:
// the sequence's generated tokens but the last.
type recordingRunner struct {
	*BatchRunner
	mu  sync.Mutex
	fed map[Seq][]int32
}

func (r *recordingRunner) Step(ctx context.Context, work []Work) {
	r.mu.Lock()
	for _, w := range work {
		if !w.Prefill {
			r.fed[w.Seq] = append(r.fed[w.Seq], w.Tokens...)
		}
	}
	r.mu.Unlock()
	r.BatchRunner.Step(ctx, work)
}

func openTinySynth(t *testing.T, ctx int) *runtime.Model {
	t.Helper()
	w, err := model.Synth(model.SynthOptions{Shape: "tiny", Type: quant.F32, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	m, err := runtime.Open(path, runtime.Config{Backend: "cpu", Threads: 1, ContextLen: ctx})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// With Slide (full prefill), step s attends every entry until the first eviction, which
// happens at the end of decode step D+1 (scope-spec §1.1: nothing is evicted while the
// layer holds fewer than P+D entries; step D keeps all D-R candidates). So the first D+2
// generated tokens (the prefill's and those of steps 1..D+1) equal full KV's, and only
// later ones may differ. Both requests run in one engine, side by side.
func TestSlideEqualsFullKVUntilTheFirstEviction(t *testing.T) {
	const d, r, n = 256, 128, 330
	m := openTinySynth(t, 1024)
	budget := 2 * newEngine(t, m, Options{Parallel: 1}).Reserve(nil, 0, 1024)
	br, err := NewBatchRunner(m, runtime.BatchOptions{ContextLen: 1024, KVMemory: budget, Seqs: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	rec := &recordingRunner{BatchRunner: br, fed: map[Seq][]int32{}}
	e, err := New(m, Options{Parallel: 2, ContextLen: 1024, KVMemory: budget, Runner: rec})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	prompt := make([]int32, 40)
	for i := range prompt {
		prompt[i] = int32(3 + (i*37)%500)
	}
	var chans []<-chan Event
	for _, kv := range []*scope.Config{nil, slide(d, r)} {
		ch, err := e.Submit(context.Background(), Request{Prompt: prompt, MaxTokens: n, KV: kv, IgnoreEOS: true})
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	for i, ch := range chans {
		if _, last := collect(t, ch); last.Err != nil || last.Usage.CompletionTokens != n {
			t.Fatalf("request %d: %+v", i, last)
		}
	}
	if len(rec.fed) != 2 {
		t.Fatalf("%d sequences recorded, want 2", len(rec.fed))
	}
	var seqs [][]int32 // full KV's and Slide's, in either order
	for _, toks := range rec.fed {
		seqs = append(seqs, toks)
	}
	first := firstDifference(seqs[0], seqs[1])
	t.Logf("full KV and Slide D=%d first differ at generated token %d of %d", d, first, n)
	if first < d+2 {
		t.Errorf("Slide differs from full KV at token %d, before its first eviction (token %d)", first, d+2)
	}
	if first == n-1 {
		t.Errorf("Slide never differed from full KV in %d tokens: the test shows nothing about eviction", n)
	}
}

func firstDifference(a, b []int32) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// A full-KV request reserves prompt + max_tokens entries (plus slack); the session's pool
// made from that reservation must hold them all. stories260K's head dimension of 8 makes
// a miscount of the 4-byte position per slot a 5% shortfall, past the slack at this length.
func TestFullKVReservationHoldsTheWholeSequence(t *testing.T) {
	m, err := runtime.Open(testdata.Path(t, "gguf", "stories260K.gguf"), runtime.Config{Backend: "cpu", Threads: 1, ContextLen: 800})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	e, err := New(m, Options{Parallel: 1, ContextLen: 800})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	ch, err := e.Submit(context.Background(), Request{Prompt: e.encode("Once upon a time"), MaxTokens: 760, IgnoreEOS: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, last := collect(t, ch); last.Err != nil || last.Usage.CompletionTokens != 760 {
		t.Fatalf("final event %+v", last)
	}
	if p := e.Stats().Preemptions; p != 0 {
		t.Errorf("%d preemptions at the full-KV reservation", p)
	}
}
