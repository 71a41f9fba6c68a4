package eval

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Progress draws a one-line progress bar for a long run: items done out of total,
// generated tokens per second and the estimated time left. It redraws at most every
// Interval, rewriting the line in place with a carriage return, and Finish ends the line.
// It is safe for concurrent use.
type Progress struct {
	mu       sync.Mutex
	w        io.Writer
	label    string
	total    int
	done     int // includes items counted by Resume
	resumed  int // items done before this run, excluded from the rates
	tokens   int64
	now      func() time.Time
	start    time.Time
	lastDraw time.Time
	drawn    bool
	width    int // length of the last line, to blank leftovers of a longer one
	finished bool

	Interval time.Duration // minimum time between redraws; 250ms by default
	BarWidth int           // characters in the bar; 20 by default
}

// NewProgress starts a progress line for total items. now is the clock (time.Now when nil).
func NewProgress(w io.Writer, label string, total int, now func() time.Time) *Progress {
	if now == nil {
		now = time.Now
	}
	return &Progress{w: w, label: label, total: total, now: now, start: now(),
		Interval: 250 * time.Millisecond, BarWidth: 20}
}

// Resume counts n items as already done by an earlier run (they add to done/total but not
// to the speed or the estimate).
func (p *Progress) Resume(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	p.resumed += n
	p.maybeDraw(false)
}

// AddTokens records n generated tokens.
func (p *Progress) AddTokens(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokens += int64(n)
	p.maybeDraw(false)
}

// Done records n finished items.
func (p *Progress) Done(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	p.maybeDraw(false)
}

// Finish draws the final state and ends the line; later calls do nothing.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.maybeDraw(true)
	fmt.Fprint(p.w, "\n")
	p.finished = true
}

func (p *Progress) maybeDraw(force bool) {
	if p.finished {
		return
	}
	t := p.now()
	if !force && p.drawn && t.Sub(p.lastDraw) < p.Interval {
		return
	}
	line := p.line(t)
	pad := ""
	if n := len([]rune(line)); n < p.width {
		pad = strings.Repeat(" ", p.width-n)
	}
	p.width = len([]rune(line))
	fmt.Fprint(p.w, "\r"+line+pad)
	p.lastDraw, p.drawn = t, true
}

// line renders "label [#####.....] 3/10  30%  12.5 tok/s  ETA 1m05s".
func (p *Progress) line(t time.Time) string {
	elapsed := t.Sub(p.start)
	frac := 0.0
	if p.total > 0 {
		frac = min(1, float64(p.done)/float64(p.total))
	}
	fill := int(frac * float64(p.BarWidth))
	bar := strings.Repeat("#", fill) + strings.Repeat(".", max(0, p.BarWidth-fill))
	rate := "-- tok/s"
	if secs := elapsed.Seconds(); secs > 0 {
		rate = fmt.Sprintf("%.1f tok/s", float64(p.tokens)/secs)
	}
	s := fmt.Sprintf("[%s] %d/%d %3.0f%%  %s  %s", bar, p.done, p.total, 100*frac, rate, p.eta(elapsed))
	if p.label != "" {
		s = p.label + " " + s
	}
	return s
}

// eta extrapolates the time per item of this run to the items left.
func (p *Progress) eta(elapsed time.Duration) string {
	ran := p.done - p.resumed
	left := p.total - p.done
	switch {
	case left <= 0:
		return "done in " + formatDuration(elapsed)
	case ran <= 0:
		return "ETA --"
	}
	return "ETA " + formatDuration(time.Duration(float64(elapsed)*float64(left)/float64(ran)))
}

// formatDuration prints whole seconds as 42s, 3m07s or 2h05m09s.
func formatDuration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	h, m, sec := s/3600, s/60%60, s%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, sec)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, sec)
	}
	return fmt.Sprintf("%ds", sec)
}
