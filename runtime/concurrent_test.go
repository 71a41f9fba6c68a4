package runtime

import (
	"context"
	"slices"
	"sync"
	"testing"
)

// TestModelConcurrentSessions runs sessions of one Model on several goroutines, as the
// package documentation allows, and expects each to generate what it does alone.
func TestModelConcurrentSessions(t *testing.T) {
	s := openBuiltin(t)
	prompts := []string{"Once upon a time", "Tom had a dog", "The sun was hot", "Lily and Ben"}
	alone := make([][]int32, len(prompts))
	for i, p := range prompts {
		res, err := s.Generate(context.Background(), p, GenerateOptions{MaxTokens: 48})
		if err != nil {
			t.Fatal(err)
		}
		alone[i] = res.Tokens
	}
	var wg sync.WaitGroup
	got := make([][]int32, len(prompts))
	errs := make([]error, len(prompts))
	for i, p := range prompts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ss, err := s.m.NewSession(SessionOptions{ContextLen: 512})
			if err == nil {
				var res *Result
				if res, err = ss.Generate(context.Background(), p, GenerateOptions{MaxTokens: 48}); err == nil {
					got[i] = res.Tokens
				}
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i := range prompts {
		if errs[i] != nil || !slices.Equal(got[i], alone[i]) {
			t.Errorf("%q: concurrent run gave %v (%v), alone %v", prompts[i], got[i], errs[i], alone[i])
		}
	}
}
