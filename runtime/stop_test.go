package runtime

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/scopekv/scope/model/builtin"
)

func TestStopFilter(t *testing.T) {
	cases := []struct {
		name   string
		stops  []string
		pieces []string
		emits  []string // what each push emits, in order ("" = nothing)
		hit    int      // index of the push that completes a stop string, -1 = none
		rest   string   // what flush emits afterwards
	}{
		{"no stops", nil, []string{"ab", "c"}, []string{"ab", "c"}, -1, ""},
		{"whole piece", []string{"END"}, []string{"one ", "END", "two"}, []string{"one ", ""}, 1, ""},
		{"split over pieces", []string{"END"}, []string{"xE", "N", "Dy"}, []string{"x", "", ""}, 2, ""},
		{"false start released", []string{"END"}, []string{"aE", "Nb", "c"}, []string{"a", "ENb", "c"}, -1, ""},
		{"tail flushed", []string{"END"}, []string{"aEN"}, []string{"a"}, -1, "EN"},
		{"earliest of several", []string{"cd", "b"}, []string{"abcd"}, []string{"a"}, 0, ""},
		{"longer pending prefix wins", []string{"xy", "abc"}, []string{"zab"}, []string{"z"}, -1, "ab"},
		{"empty stop ignored", []string{""}, []string{"a"}, []string{"a"}, -1, ""},
		{"text after the stop dropped", []string{"\n"}, []string{"ok\nmore"}, []string{"ok"}, 0, ""},
	}
	for _, c := range cases {
		var got []string
		f := newStopFilter(c.stops, func(s string) error { got = append(got, s); return nil })
		hit := -1
		for i, p := range c.pieces {
			done, err := f.push(p)
			if err != nil {
				t.Fatal(err)
			}
			if done {
				hit = i
				break
			}
		}
		if hit != c.hit || !slices.Equal(got, c.emits) {
			t.Errorf("%s: emitted %q hit %d, want %q hit %d", c.name, got, hit, c.emits, c.hit)
		}
		got = nil
		if err := f.flush(); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "") != c.rest {
			t.Errorf("%s: flush emitted %q, want %q", c.name, got, c.rest)
		}
	}
}

// openBuiltin opens the built-in stories260K model on the CPU.
func openBuiltin(t *testing.T) *Session {
	t.Helper()
	f, err := builtin.Open()
	if err != nil {
		t.Fatal(err)
	}
	m, err := OpenModel(f, Config{Backend: "cpu", Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	s, err := m.NewSession(SessionOptions{ContextLen: 512})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGenerateStopString(t *testing.T) {
	s := openBuiltin(t)
	ctx := context.Background()
	full, err := s.Generate(ctx, "Once upon a time", GenerateOptions{MaxTokens: 60})
	if err != nil {
		t.Fatal(err)
	}
	stop := full.Text[len(full.Text)/2:][:4]
	want := full.Text[:strings.Index(full.Text, stop)]
	var streamed strings.Builder
	res, err := s.Generate(ctx, "Once upon a time", GenerateOptions{MaxTokens: 60, Stop: []string{"never generated", stop},
		Stream: func(text string) error { streamed.WriteString(text); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if res.StopReason != "stop" || res.Text != want {
		t.Errorf("stop %q: reason %q, text %q, want %q", stop, res.StopReason, res.Text, want)
	}
	if got := streamed.String(); got != "Once upon a time"+want {
		t.Errorf("streamed %q, want the prompt and %q", got, want)
	}
	if len(res.Tokens) >= len(full.Tokens) {
		t.Errorf("%d tokens generated after the stop string, the full run had %d", len(res.Tokens), len(full.Tokens))
	}
}

func TestGenerateIgnoreEOS(t *testing.T) {
	s := openBuiltin(t)
	ctx := context.Background()
	free, err := s.Generate(ctx, "Once upon a time", GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if free.StopReason != "eos" {
		t.Fatalf("greedy run stopped by %q after %d tokens; the test needs an end of text", free.StopReason, len(free.Tokens))
	}
	n := len(free.Tokens) + 20
	res, err := s.Generate(ctx, "Once upon a time", GenerateOptions{MaxTokens: n, IgnoreEOS: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.StopReason != "length" || len(res.Tokens) != n || !slices.Equal(res.Tokens[:len(free.Tokens)], free.Tokens) {
		t.Errorf("ignoring EOS: reason %q, %d tokens (want %d, starting with the greedy run's)", res.StopReason, len(res.Tokens), n)
	}
	ends := endTokens(s.m.Tokenizer())
	for _, id := range res.Tokens {
		if slices.Contains(ends, id) {
			t.Fatalf("end token %d sampled with IgnoreEOS", id)
		}
	}
}

func TestStreamFirstCallIsThePrompt(t *testing.T) {
	s := openBuiltin(t)
	for _, prompt := range []string{"Once upon a time", ""} {
		var calls []string
		res, err := s.Generate(context.Background(), prompt, GenerateOptions{MaxTokens: 5,
			Stream: func(text string) error { calls = append(calls, text); return nil }})
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) == 0 || calls[0] != prompt || strings.Join(calls[1:], "") != res.Text {
			t.Errorf("prompt %q: stream calls %q, want the prompt first, then %q", prompt, calls, res.Text)
		}
	}
}

func TestContinueStopString(t *testing.T) {
	s := openBuiltin(t)
	var streamed strings.Builder
	res, err := s.Continue(context.Background(), "Once upon a time", GenerateOptions{MaxTokens: 60, Stop: []string{"Lily"},
		Stream: func(text string) error { streamed.WriteString(text); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	want := ", there was a little girl named "
	if res.StopReason != "stop" || res.Text != want || streamed.String() != want {
		t.Errorf("Continue with a stop string: reason %q, text %q, streamed %q; want %q", res.StopReason, res.Text, streamed.String(), want)
	}
}
