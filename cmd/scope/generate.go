package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"

	scope "github.com/scopekv/scope/runtime"
)

func runGenerate(args []string) error {
	if rest, ok := conversationMode(args); ok {
		return runChat(rest) // -cnv: a conversation, as scope chat
	}
	fs := newFlags("generate")
	var mf modelFlags
	mf.register(fs)
	var kf kvFlags
	kf.register(fs)
	prompt := fs.String("p", "", "prompt text")
	n := fs.Int("n", 256, "new tokens to generate (0 = until end of text or a full context)")
	temp := fs.Float64("temp", 0.8, "temperature (0 = greedy)")
	topK := fs.Int("top-k", 40, "top-k sampling (0 = off)")
	topP := fs.Float64("top-p", 0.95, "top-p (nucleus) sampling (1 = off)")
	minP := fs.Float64("min-p", 0.05, "min-p sampling (0 = off)")
	rep := fs.Float64("repeat-penalty", 1.0, "repetition penalty (1 = off)")
	repN := fs.Int("repeat-last-n", 64, "tokens the repetition penalty looks back at")
	seed := fs.Uint64("seed", 0, "random seed (0 = from the clock)")
	noBOS := fs.Bool("no-bos", false, "do not add the BOS token")
	fs.Bool("cnv", false, "conversation mode: run as 'scope chat' (see its flags)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := checkSampling(*n, *temp, *topK, *topP, *minP, *rep); err != nil {
		return err
	}
	kvc, err := kf.config()
	if err != nil {
		return err
	}
	m, closeModel, err := mf.openProfiled()
	if err != nil {
		return err
	}
	defer closeModel()
	s, err := m.NewSession(scope.SessionOptions{KV: kvc, KVMemory: kf.memory(), PageSize: kf.pageSize})
	if err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	out := bufio.NewWriter(os.Stdout)
	opts := scope.GenerateOptions{MaxTokens: *n, NoBOS: *noBOS,
		Sampling: scope.Sampling{Temperature: float32(*temp), TopK: *topK, TopP: float32(*topP), MinP: float32(*minP),
			RepeatPenalty: float32(*rep), RepeatLastN: *repN, Seed: seedOrClock(*seed)},
		Stream: func(text string) error {
			if _, err := out.WriteString(text); err != nil {
				return err
			}
			return out.Flush()
		}}
	res, err := s.Generate(ctx, *prompt, opts)
	out.Flush()
	fmt.Fprintln(os.Stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "\nscope: %s | prompt %d tok, %.1f tok/s | generated %d tok, %.2f tok/s | stop: %s\n",
		m.Device().Name, res.PromptTokens, res.PromptTokensPerSec(), len(res.Tokens), res.GenTokensPerSec(), res.StopReason)
	return kf.report(res.KV)
}

func checkSampling(n int, temp float64, topK int, topP, minP, rep float64) error {
	switch {
	case n < 0:
		return fmt.Errorf("-n must be >= 0, got %d", n)
	case temp < 0:
		return fmt.Errorf("--temp must be >= 0, got %g", temp)
	case topK < 0:
		return fmt.Errorf("--top-k must be >= 0, got %d", topK)
	case topP < 0 || topP > 1:
		return fmt.Errorf("--top-p must be in [0,1], got %g", topP)
	case minP < 0 || minP > 1:
		return fmt.Errorf("--min-p must be in [0,1], got %g", minP)
	case rep <= 0:
		return fmt.Errorf("--repeat-penalty must be > 0, got %g", rep)
	}
	return nil
}
