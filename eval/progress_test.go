package eval

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// frames splits the output into the lines drawn (each starts with a carriage return).
func frames(s string) []string {
	parts := strings.Split(s, "\r")
	return parts[1:]
}

func TestProgressLine(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	var out bytes.Buffer
	p := NewProgress(&out, "gsm8k", 10, clk.now)
	clk.advance(10 * time.Second)
	p.AddTokens(250) // 25 tok/s, nothing done yet
	if f := frames(out.String()); len(f) != 1 || f[0] != "gsm8k [....................] 0/10   0%  25.0 tok/s  ETA --" {
		t.Fatalf("first frame %q", f)
	}
	clk.advance(20 * time.Second)
	p.Done(3) // 30s for 3 items: 70s for the 7 left
	f := frames(out.String())
	if got := f[len(f)-1]; got != "gsm8k [######..............] 3/10  30%  8.3 tok/s  ETA 1m10s" {
		t.Fatalf("frame %q", got)
	}
	clk.advance(60 * time.Minute)
	p.Done(7)
	p.Finish()
	p.Finish() // harmless
	p.Done(1)  // after Finish: nothing drawn
	s := out.String()
	if !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") != 1 {
		t.Fatalf("output does not end with exactly one newline: %q", s)
	}
	last := strings.TrimSuffix(frames(s)[len(frames(s))-1], "\n")
	if !strings.HasPrefix(last, "gsm8k [####################] 10/10 100%") || !strings.Contains(last, "done in 1h00m30s") {
		t.Fatalf("final frame %q", last)
	}
}

// Calls closer together than Interval do not redraw; Finish always does.
func TestProgressRateLimit(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	var out bytes.Buffer
	p := NewProgress(&out, "", 1000, clk.now)
	for i := 0; i < 1000; i++ {
		clk.advance(10 * time.Millisecond) // 10 s in all, 250 ms interval: about 40 redraws
		p.AddTokens(1)
		p.Done(1)
	}
	p.Finish()
	n := len(frames(out.String()))
	if n < 38 || n > 42 {
		t.Fatalf("%d frames for 10 s at a 250 ms interval", n)
	}
	if !strings.Contains(out.String(), "1000/1000") {
		t.Fatal("final state not drawn")
	}
}

// A shorter line blanks the rest of a longer one; resumed items count toward done but not
// toward the speed estimate.
func TestProgressPaddingAndResume(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	var out bytes.Buffer
	p := NewProgress(&out, "", 10, clk.now)
	p.Resume(5)
	clk.advance(time.Second)
	p.AddTokens(123456) // long rate text
	clk.advance(9 * time.Second)
	p.AddTokens(0) // rate falls: shorter line
	p.Done(1)      // (no redraw: within the interval)
	clk.advance(time.Second)
	p.AddTokens(0)
	f := frames(out.String())
	if len(f) != 4 {
		t.Fatalf("%d frames: %q", len(f), f)
	}
	if len(f[2]) != len(f[1]) || !strings.HasSuffix(f[2], " ") {
		t.Fatalf("shorter line not padded:\n%q\n%q", f[1], f[2])
	}
	// 1 item in 11 s this run, 4 left: 44 s.
	if !strings.Contains(f[3], "6/10") || !strings.Contains(f[3], "ETA 44s") {
		t.Fatalf("resume frame %q", f[3])
	}
}

func TestProgressConcurrent(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, "", 800, nil)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				p.AddTokens(3)
				p.Done(1)
			}
		}()
	}
	wg.Wait()
	p.Finish()
	if !strings.Contains(out.String(), "800/800 100%") {
		t.Fatalf("final %q", out.String())
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 1499 * time.Millisecond: "1s", 59 * time.Second: "59s", 61 * time.Second: "1m01s",
		2*time.Hour + 5*time.Minute + 9*time.Second: "2h05m09s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}
