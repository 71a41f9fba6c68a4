package engine

import (
	"testing"
	"time"
)

func TestTokenRate(t *testing.T) {
	r := tokenRate{window: 10 * time.Second}
	t0 := time.Unix(1000, 0)
	for i := 0; i <= 20; i++ {
		r.add(t0.Add(time.Duration(i)*time.Second), int64(5*i))
	}
	now := t0.Add(20 * time.Second)
	if got := r.perSecond(now); got < 4.9 || got > 5.1 {
		t.Errorf("rate %.2f, want 5", got)
	}
	if len(r.samples) > 13 {
		t.Errorf("%d samples kept for a 10 s window", len(r.samples))
	}
	if got := r.perSecond(now.Add(time.Minute)); got != 0 {
		t.Errorf("idle rate %.2f, want 0", got)
	}
}
