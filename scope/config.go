package scope

import "fmt"

// Config is the KV-compression setup of a model instance. Budgets count entries per
// (layer, unit). The zero value is not valid; start from DefaultConfig.
type Config struct {
	Prefill PrefillMethod
	Decode  DecodePolicy
	GQA     GQAMode

	PrefillBudget   int     // P: prompt entries kept, window included (not used by Full)
	Window          int     // w: last prompt tokens always kept (SnapKV, PyramidKV, H2O)
	Kernel          int     // SnapKV/PyramidKV pooling kernel, odd (1 = no pooling)
	Pooling         Pooling // SnapKV/PyramidKV pooling kind
	PyramidBeta     int     // PyramidKV beta
	StreamingWindow int     // StreamingLLM prefill: newest prompt tokens kept; 0 = P/2

	DecodeBudget   int  // D: decode entries kept (heavy hitters + recent window)
	Recent         int  // R: newest decode entries always kept, the new token included
	Delta          int  // delta; 0 = floor((T-R)/(D-R)) from each request's T
	ExpectedTokens int  // when > 0, clamps T before delta is derived, so D_s reaches D within it
	RefreshPeriod  int  // Discontinuous: steps per refresh; 0 = delta+1 as in the reference
	CapBudget      bool // Adaptive/Discontinuous: keep D_s at most D (it otherwise grows past D)

	// Score ranks decoded entries at a rebuild: the current query's attention (the paper)
	// or a history of it (ScoreDecay with factor ScoreDecay in (0, 1], ScoreWindowMax over
	// the last ScoreWindow steps). A history needs the attention of every decode step.
	Score       DecodeScore
	ScoreDecay  float32
	ScoreWindow int

	PageSize int // token slots per KV page
}

// DefaultConfig returns the settings of the paper's experiment scripts with compression off:
// Full prefill, no decode policy, group GQA; P=2048, w=8, k=7 max pooling, beta=20, D=512,
// R=256, delta from T, refresh every delta+1 steps, 16-slot pages.
func DefaultConfig() Config {
	return Config{
		Prefill: PrefillFull, Decode: DecodeNone, GQA: GQAGroup,
		PrefillBudget: 2048, Window: 8, Kernel: 7, Pooling: PoolMax, PyramidBeta: 20,
		DecodeBudget: 512, Recent: 256, PageSize: 16,
	}
}

// Validate rejects invalid combinations for a model context of contextLen positions.
func (c Config) Validate(contextLen int) error {
	if err := c.validateNames(); err != nil {
		return err
	}
	if contextLen <= 0 {
		return c.errorf("context length %d must be positive", contextLen)
	}
	if c.PageSize <= 0 {
		return c.errorf("page size %d must be positive", c.PageSize)
	}
	if c.Delta < 0 || c.ExpectedTokens < 0 || c.RefreshPeriod < 0 {
		return c.errorf("delta %d, expected tokens %d and refresh period %d must not be negative",
			c.Delta, c.ExpectedTokens, c.RefreshPeriod)
	}
	if err := c.validatePrefill(contextLen); err != nil {
		return err
	}
	return c.validateDecode(contextLen)
}

func (c Config) validateNames() error {
	switch {
	case int(c.Prefill) >= len(prefillNames):
		return c.errorf("unknown prefill method %d", c.Prefill)
	case int(c.Decode) >= len(decodeNames):
		return c.errorf("unknown decode policy %d", c.Decode)
	case int(c.GQA) >= len(gqaNames):
		return c.errorf("unknown GQA mode %d", c.GQA)
	case int(c.Pooling) >= len(poolNames):
		return c.errorf("unknown pooling %d", c.Pooling)
	case int(c.Score) >= len(scoreNames):
		return c.errorf("unknown decode score %d", c.Score)
	}
	return nil
}

func (c Config) validatePrefill(ctx int) error {
	if c.Prefill == PrefillFull {
		return nil
	}
	p := c.PrefillBudget
	if p <= 0 || p > ctx {
		return c.errorf("prefill budget P=%d must be in 1..context %d", p, ctx)
	}
	switch c.Prefill {
	case PrefillSnapKV, PrefillPyramidKV:
		if c.Kernel < 1 || c.Kernel%2 == 0 {
			return c.errorf("pooling kernel %d must be odd and positive", c.Kernel)
		}
		if c.Window < 1 || c.Window >= p {
			return c.errorf("observation window w=%d must be in 1..P-1 (P=%d)", c.Window, p)
		}
		if c.Prefill == PrefillPyramidKV && c.PyramidBeta < 1 {
			return c.errorf("PyramidKV beta %d must be positive", c.PyramidBeta)
		}
	case PrefillH2O:
		if c.Window < 0 || c.Window >= p {
			return c.errorf("window w=%d must be in 0..P-1 (P=%d)", c.Window, p)
		}
	case PrefillStreamingLLM:
		if c.StreamingWindow < 0 || c.StreamingWindow > p {
			return c.errorf("StreamingLLM window %d must be in 0..P (P=%d; 0 means P/2)", c.StreamingWindow, p)
		}
	}
	return nil
}

func (c Config) validateDecode(ctx int) error {
	if c.Decode == DecodeNone {
		return nil
	}
	d, r := c.DecodeBudget, c.Recent
	if d <= 0 || d > ctx {
		return c.errorf("decode budget D=%d must be in 1..context %d", d, ctx)
	}
	if r < 1 || r >= d {
		return c.errorf("recent window R=%d must be in 1..D-1 (D=%d): it holds the new token and leaves room for heavy hitters", r, d)
	}
	if c.Prefill != PrefillFull && c.PrefillBudget+d > ctx {
		return c.errorf("budgets P+D=%d exceed the context %d", c.PrefillBudget+d, ctx)
	}
	return c.validateScore()
}

func (c Config) validateScore() error {
	switch c.Score {
	case ScoreDecay:
		// !(x > 0) also rejects NaN
		if !(c.ScoreDecay > 0) || c.ScoreDecay > 1 {
			return c.errorf("score decay %g must be in (0, 1]", c.ScoreDecay)
		}
	case ScoreWindowMax:
		if c.ScoreWindow < 1 || c.ScoreWindow > maxScoreWindow {
			return c.errorf("score window %d must be in 1..%d", c.ScoreWindow, maxScoreWindow)
		}
	}
	if c.Score != ScoreCurrent && !c.Decode.scored() {
		return c.errorf("decode score %s needs a scored decode policy, not %s", c.Score, c.Decode)
	}
	return nil
}

// maxScoreWindow bounds ScoreWindowMax's history (W values per decoded entry).
const maxScoreWindow = 256

func (c Config) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
}

// DeltaFor returns delta for a request of maxNewTokens new tokens: Config.Delta when set,
// else floor((T-R)/(D-R)) with T clamped to ExpectedTokens when that is set (at least 1).
func (c Config) DeltaFor(maxNewTokens int) int {
	if c.Delta > 0 {
		return c.Delta
	}
	t := maxNewTokens
	if c.ExpectedTokens > 0 && t > c.ExpectedTokens {
		t = c.ExpectedTokens
	}
	if c.DecodeBudget <= c.Recent {
		return 1
	}
	return max(1, (t-c.Recent)/(c.DecodeBudget-c.Recent))
}

// PeriodFor returns the Discontinuous refresh period for a given delta.
func (c Config) PeriodFor(delta int) int {
	if c.RefreshPeriod > 0 {
		return c.RefreshPeriod
	}
	return delta + 1
}

// streamingWindow returns w for the StreamingLLM prefill (P/2 as in the paper's runs).
func (c Config) streamingWindow() int {
	if c.StreamingWindow > 0 {
		return c.StreamingWindow
	}
	return c.PrefillBudget / 2
}
