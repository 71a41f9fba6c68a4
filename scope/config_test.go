package scope

import (
	"errors"
	"strings"
	"testing"
)

func TestParseNames(t *testing.T) {
	for _, s := range prefillNames {
		m, err := ParsePrefill(s)
		if err != nil || m.String() != s {
			t.Errorf("ParsePrefill(%q) = %v, %v", s, m, err)
		}
	}
	for _, s := range decodeNames {
		p, err := ParseDecode(s)
		if err != nil || p.String() != s {
			t.Errorf("ParseDecode(%q) = %v, %v", s, p, err)
		}
	}
	for alias, want := range map[string]DecodePolicy{"slm": DecodeStreamingLLM, "jump": DecodeDiscontinuous, "fixed": DecodeSlide, "linear": DecodeAdaptive} {
		if p, err := ParseDecode(alias); err != nil || p != want {
			t.Errorf("ParseDecode(%q) = %v, %v; want %v", alias, p, err, want)
		}
	}
	for _, s := range gqaNames {
		g, err := ParseGQA(s)
		if err != nil || g.String() != s {
			t.Errorf("ParseGQA(%q) = %v, %v", s, g, err)
		}
	}
	if p, err := ParsePooling("avg"); err != nil || p != PoolAvg {
		t.Errorf("ParsePooling(avg) = %v, %v", p, err)
	}
	for _, f := range []func(string) error{
		func(s string) error { _, err := ParsePrefill(s); return err },
		func(s string) error { _, err := ParseDecode(s); return err },
		func(s string) error { _, err := ParseGQA(s); return err },
		func(s string) error { _, err := ParsePooling(s); return err },
	} {
		if err := f("Slide "); !errors.Is(err, ErrConfig) {
			t.Errorf("unknown name accepted: %v", err)
		}
	}
	if s := DecodePolicy(42).String(); !strings.Contains(s, "42") {
		t.Errorf("String of an unknown policy = %q", s)
	}
}

func TestValidate(t *testing.T) {
	ok := func(c *Config) {}
	compress := func(c *Config) { c.Prefill, c.Decode = PrefillSnapKV, DecodeSlide }
	cases := []struct {
		name   string
		ctx    int
		edit   func(*Config)
		errHas string // "" = valid
	}{
		{"defaults", 4096, ok, ""},
		{"paper setup", 4096, compress, ""},
		{"recent equals budget", 4096, func(c *Config) { compress(c); c.Recent = c.DecodeBudget }, "R=512"},
		{"recent zero", 4096, func(c *Config) { compress(c); c.Recent = 0 }, "R=0"},
		{"P over context", 1024, func(c *Config) { c.Prefill = PrefillH2O }, "P=2048"},
		{"D over context", 256, func(c *Config) { c.Decode = DecodeAdaptive }, "D=512"},
		{"P+D over context", 2100, compress, "P+D=2560"},
		{"page size zero", 4096, func(c *Config) { c.PageSize = 0 }, "page size"},
		{"context zero", 0, ok, "context length"},
		{"even kernel", 4096, func(c *Config) { compress(c); c.Kernel = 4 }, "kernel 4"},
		{"window = P", 4096, func(c *Config) { compress(c); c.Window = 2048 }, "w=2048"},
		{"pyramid beta", 4096, func(c *Config) { c.Prefill, c.PyramidBeta = PrefillPyramidKV, 0 }, "beta"},
		{"streaming window", 4096, func(c *Config) { c.Prefill, c.StreamingWindow = PrefillStreamingLLM, 3000 }, "StreamingLLM window"},
		{"unknown policy", 4096, func(c *Config) { c.Decode = 9 }, "unknown decode policy"},
		{"unknown prefill", 4096, func(c *Config) { c.Prefill = 9 }, "unknown prefill"},
		{"unknown gqa", 4096, func(c *Config) { c.GQA = 9 }, "unknown GQA"},
		{"negative delta", 4096, func(c *Config) { c.Delta = -1 }, "negative"},
		{"full prefill ignores P", 1024, func(c *Config) { c.Decode = DecodeSlide }, ""},
		{"no decode ignores R", 4096, func(c *Config) { c.Recent = 10000 }, ""},
	}
	for _, c := range cases {
		cfg := DefaultConfig()
		c.edit(&cfg)
		err := cfg.Validate(c.ctx)
		switch {
		case c.errHas == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.errHas != "" && (!errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.errHas)):
			t.Errorf("%s: error %v, want ErrConfig mentioning %q", c.name, err, c.errHas)
		}
	}
}
