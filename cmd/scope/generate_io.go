package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	scope "github.com/scopekv/scope/runtime"
	kvscope "github.com/scopekv/scope/scope"
)

// readPrompt returns the prompt: -p TEXT, -f FILE, or stdin for "-p -", "-f -", or when
// stdin is piped and neither is given. Like llama.cpp, one trailing newline of a file or
// stdin is dropped (echo adds one).
func (g *generateFlags) readPrompt(stdin *os.File) (string, error) {
	switch {
	case g.prompt != "" && g.file != "":
		return "", errors.New("pass the prompt with -p or -f, not both")
	case g.prompt == "-" || g.file == "-":
		return readText(stdin)
	case g.file != "":
		b, err := os.ReadFile(g.file)
		if err != nil {
			return "", fmt.Errorf("-f: %w", err)
		}
		return strings.TrimSuffix(string(b), "\n"), nil
	case g.prompt == "" && isPiped(stdin):
		return readText(stdin)
	}
	return g.prompt, nil
}

func readText(r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("reading the prompt from stdin: %w", err)
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

// isPiped reports whether f is a pipe or a file rather than a terminal or a device such
// as /dev/null.
func isPiped(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && (st.Mode()&os.ModeNamedPipe != 0 || st.Mode().IsRegular())
}

// generateJSON is generate --json's output.
type generateJSON struct {
	Model        string          `json:"model"`
	Device       string          `json:"device"`
	Text         string          `json:"text"`
	Tokens       []int32         `json:"tokens"`
	PromptTokens int             `json:"prompt_tokens"`
	Generated    int             `json:"generated_tokens"`
	StopReason   string          `json:"stop_reason"` // eos, length, context, stop, interrupted
	Seed         uint64          `json:"seed"`
	Timings      generateTimings `json:"timings"`
	KV           generateKV      `json:"kv"`
}

type generateTimings struct {
	PromptMS       float64 `json:"prompt_ms"`
	PromptPerSec   float64 `json:"prompt_tokens_per_sec"`
	GenerateMS     float64 `json:"generate_ms"`
	GeneratePerSec float64 `json:"generate_tokens_per_sec"`
}

// generateKV is the KV cache's accounting: the positions held, and the policy's report
// when a KV policy is set.
type generateKV struct {
	Policy     string          `json:"policy"` // "full+none": full KV
	Positions  int             `json:"positions"`
	ContextLen int             `json:"context_len"`
	Report     *kvscope.Report `json:"report,omitempty"`
}

func writeGenerateJSON(w io.Writer, m *scope.Model, s *scope.Session, mf *modelFlags, opts scope.GenerateOptions, res *scope.Result) error {
	policy := "full+none"
	if res.KV != nil {
		policy = res.KV.Prefill + "+" + res.KV.Decode
	}
	out := generateJSON{Model: modelName(mf.model), Device: m.Device().Name, Text: res.Text, Tokens: res.Tokens,
		PromptTokens: res.PromptTokens, Generated: len(res.Tokens), StopReason: res.StopReason, Seed: opts.Sampling.Seed,
		Timings: generateTimings{PromptMS: ms(res.PromptTime.Seconds()), PromptPerSec: res.PromptTokensPerSec(),
			GenerateMS: ms(res.GenerateTime.Seconds()), GeneratePerSec: res.GenTokensPerSec()},
		KV: generateKV{Policy: policy, Positions: s.Pos(), ContextLen: s.ContextLen(), Report: res.KV}}
	if out.Tokens == nil {
		out.Tokens = []int32{}
	}
	return json.NewEncoder(w).Encode(out)
}

func ms(seconds float64) float64 { return seconds * 1000 }
