package scope

import (
	"errors"
	"fmt"
)

// ErrConfig reports an invalid configuration or name; check it with errors.Is.
var ErrConfig = errors.New("scope: invalid configuration")

// PrefillMethod compresses the prompt cache once, after the last prompt chunk.
type PrefillMethod uint8

const (
	PrefillFull         PrefillMethod = iota // keep every prompt entry (ALLKV)
	PrefillSnapKV                            // observation-window attention, pooled
	PrefillPyramidKV                         // SnapKV scores, per-layer pyramid budgets
	PrefillH2O                               // causal cumulative attention
	PrefillStreamingLLM                      // first P-w and last w prompt tokens
)

var prefillNames = []string{"full", "snapkv", "pyramidkv", "h2o", "streamingllm"}

func (m PrefillMethod) String() string { return enumName(prefillNames, int(m)) }

// ParsePrefill reads full|snapkv|pyramidkv|h2o|streamingllm.
func ParsePrefill(s string) (PrefillMethod, error) {
	i, err := parseEnum("prefill method", prefillNames, s, nil)
	return PrefillMethod(i), err
}

// DecodePolicy compresses the decoded tokens' cache during generation.
type DecodePolicy uint8

const (
	DecodeNone          DecodePolicy = iota // no decode compression
	DecodeSlide                             // SCOPE Slide: D entries, reselect every step
	DecodeAdaptive                          // SCOPE Adaptive: budget R + floor((s-1)/delta)
	DecodeDiscontinuous                     // SCOPE Discontinuous: Adaptive, refresh every period
	DecodeH2O                               // unified H2O baseline: prompt entries compete too
	DecodeStreamingLLM                      // StreamingLLM baseline: first P+D-R plus newest R
)

var decodeNames = []string{"none", "slide", "adaptive", "discontinuous", "h2o", "streamingllm"}

// older names used by the reference code
var decodeAliases = map[string]int{"fixed": 1, "linear": 2, "jump": 3, "slm": 5}

func (p DecodePolicy) String() string { return enumName(decodeNames, int(p)) }

// ParseDecode reads none|slide|adaptive|discontinuous|h2o|streamingllm (and the reference
// code's names fixed, linear, jump, slm).
func ParseDecode(s string) (DecodePolicy, error) {
	i, err := parseEnum("decode policy", decodeNames, s, decodeAliases)
	return DecodePolicy(i), err
}

// scored reports whether the policy ranks entries by attention scores.
func (p DecodePolicy) scored() bool {
	return p == DecodeSlide || p == DecodeAdaptive || p == DecodeDiscontinuous || p == DecodeH2O
}

// GQAMode chooses the selection unit for grouped-query attention: a KV head or a query head.
type GQAMode uint8

const (
	// GQAGroup selects per KV head on the mean probability of its query heads (the cache
	// stays at KV-head width; a documented deviation from the reference).
	GQAGroup GQAMode = iota
	// GQAFaithful gives every query head its own copy of its KV head's entries and selects
	// per query head, as the reference does on its expanded cache.
	GQAFaithful
)

var gqaNames = []string{"group", "faithful"}

func (g GQAMode) String() string { return enumName(gqaNames, int(g)) }

// ParseGQA reads group|faithful.
func ParseGQA(s string) (GQAMode, error) {
	i, err := parseEnum("GQA mode", gqaNames, s, nil)
	return GQAMode(i), err
}

// Pooling is the SnapKV/PyramidKV score smoothing over neighbouring positions.
type Pooling uint8

const (
	PoolMax Pooling = iota // max over the kernel (the paper's runs)
	PoolAvg                // mean over the kernel, padding counted as zeros
)

var poolNames = []string{"max", "avg"}

func (p Pooling) String() string { return enumName(poolNames, int(p)) }

// ParsePooling reads max|avg.
func ParsePooling(s string) (Pooling, error) {
	i, err := parseEnum("pooling", poolNames, s, nil)
	return Pooling(i), err
}

func enumName(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("unknown(%d)", i)
}

func parseEnum(what string, names []string, s string, aliases map[string]int) (int, error) {
	for i, n := range names {
		if n == s {
			return i, nil
		}
	}
	if i, ok := aliases[s]; ok {
		return i, nil
	}
	return 0, fmt.Errorf("%w: unknown %s %q (want one of %v)", ErrConfig, what, s, names)
}

// DecodeScore is how a scored decode policy ranks decoded entries at a rebuild.
type DecodeScore uint8

const (
	// ScoreCurrent ranks by the current query's attention only, with no history (the paper).
	ScoreCurrent DecodeScore = iota
	// ScoreDecay ranks by the attention an entry received since it was written, each
	// older step's share multiplied by ScoreDecay once per step (a decayed running sum).
	ScoreDecay
	// ScoreWindowMax ranks by the largest attention an entry received in the last
	// ScoreWindow steps, so a token re-read once every few steps keeps its rank between
	// the reads.
	ScoreWindowMax
)

var scoreNames = []string{"current", "decay", "window"}

func (s DecodeScore) String() string { return enumName(scoreNames, int(s)) }

// ParseDecodeScore reads current|decay|window.
func ParseDecodeScore(s string) (DecodeScore, error) {
	i, err := parseEnum("decode score", scoreNames, s, nil)
	return DecodeScore(i), err
}

// history reports whether the score needs attention from every step, not only rebuilds.
func (s DecodeScore) history() bool { return s != ScoreCurrent }
