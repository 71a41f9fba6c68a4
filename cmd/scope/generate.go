package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

	scope "github.com/scopekv/scope/runtime"
)

// generateFlags are generate's own flags, with llama.cpp's names beside the short ones.
type generateFlags struct {
	samplingFlags
	prompt, file          string
	ignoreEOS, hidePrompt bool
	asJSON                bool
	stops                 stringList
}

func (g *generateFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&g.prompt, "p", "", "prompt text (- = read it from stdin, as when stdin is piped and no prompt is given)")
	alias(fs, "p", "prompt")
	fs.StringVar(&g.file, "f", "", "read the prompt from this file (- = stdin)")
	alias(fs, "f", "file")
	g.samplingFlags.register(fs, "new tokens to generate (-1 or 0 = until end of text or a full context)",
		"random seed (0 = a random one, printed)")
	alias(fs, "n", "n-predict")
	alias(fs, "seed", "s")
	fs.Var(&g.stops, "r", "stop before this `text` (repeatable)")
	alias(fs, "r", "reverse-prompt")
	alias(fs, "r", "stop")
	fs.BoolVar(&g.ignoreEOS, "ignore-eos", false, "never stop at end of text (until -n tokens or a full context)")
	fs.BoolVar(&g.hidePrompt, "no-display-prompt", false, "print only the generated text, not the prompt")
	fs.BoolVar(&g.asJSON, "json", false, "print one JSON object (text, tokens, stop reason, timings, KV accounting) instead of the text")
	fs.Bool("cnv", false, "conversation mode: run as 'scope chat' (see its flags)")
}

// options checks the sampling flags and returns the generation options; -n -1 is the
// API's "until the end" (0).
func (g *generateFlags) options() (scope.GenerateOptions, error) {
	if err := g.check(); err != nil {
		return scope.GenerateOptions{}, err
	}
	seed := g.seed
	if seed == 0 {
		seed = seedOrClock(0)
	}
	if g.seed == 0 && g.temp > 0 {
		notice("seed %d (random; --seed %d repeats this run)", seed, seed)
	}
	opts := g.samplingFlags.options(seed)
	opts.Stop, opts.IgnoreEOS = g.stops.vals, g.ignoreEOS
	return opts, nil
}

func runGenerate(args []string) error {
	if rest, ok := conversationMode(args); ok {
		return runChat(rest) // -cnv: a conversation, as scope chat
	}
	fs := newFlags("generate")
	var mf modelFlags
	mf.register(fs)
	var kf kvFlags
	kf.register(fs)
	var g generateFlags
	g.register(fs)
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q: pass the prompt with -p TEXT, -f FILE or on stdin (run 'scope generate -h')", rest[0])
	}
	prompt, err := g.readPrompt(os.Stdin)
	if err != nil {
		return err
	}
	opts, err := g.options()
	if err != nil {
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
	s, err := m.NewSession(scope.SessionOptions{KV: kvc, KVMemory: kf.memory(), PageSize: kf.pageSize,
		MaxPromptTokens: len(m.Tokenizer().Encode(prompt, !opts.NoBOS, false))})
	if err != nil {
		return err
	}
	defer s.Close()
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	res, err := g.generate(ctx, s, prompt, opts)
	if res != nil {
		err = g.report(m, s, &mf, opts, res, err)
	}
	if err != nil {
		return err
	}
	return kf.report(res.KV)
}

// report prints a generation's result, also after Ctrl-C (genErr): the JSON object with
// --json, then the timings line.
func (g *generateFlags) report(m *scope.Model, s *scope.Session, mf *modelFlags, opts scope.GenerateOptions, res *scope.Result, genErr error) error {
	if errors.Is(genErr, context.Canceled) {
		res.StopReason = "interrupted"
	}
	var err error
	if g.asJSON {
		err = writeGenerateJSON(os.Stdout, m, s, mf, opts, res)
	}
	printTimings(m, res)
	if genErr != nil {
		return genErr
	}
	return err
}

// generate runs the generation, streaming the text to stdout unless --json is set.
func (g *generateFlags) generate(ctx context.Context, s *scope.Session, prompt string, opts scope.GenerateOptions) (*scope.Result, error) {
	if g.asJSON {
		return s.Generate(ctx, prompt, opts)
	}
	out := bufio.NewWriter(os.Stdout)
	first := true
	opts.Stream = func(text string) error {
		if first { // the prompt
			first = false
			if g.hidePrompt {
				return nil
			}
		}
		if _, err := out.WriteString(text); err != nil {
			return err
		}
		return out.Flush()
	}
	res, err := s.Generate(ctx, prompt, opts)
	fmt.Fprintln(out)
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	return res, err
}

func printTimings(m *scope.Model, res *scope.Result) {
	fmt.Fprintf(os.Stderr, "\nscope: %s | prompt %d tok, %.1f tok/s | generated %d tok, %.2f tok/s | stop: %s\n",
		m.Device().Name, res.PromptTokens, res.PromptTokensPerSec(), len(res.Tokens), res.GenTokensPerSec(), res.StopReason)
}
