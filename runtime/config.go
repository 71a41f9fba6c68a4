package runtime

import "fmt"

// Config chooses how a model is loaded and run.
type Config struct {
	Backend       string                           // "auto" (default), "cpu", "vulkan" or "ref" (the scalar reference)
	Device        int                              // Vulkan device index; -1 (default when zero-valued Config is normalised) = best
	Threads       int                              // CPU threads; 0 = physical cores
	CPUPath       string                           // force a CPU kernel path ("generic", "avx2", ...); "" = best
	ContextLen    int                              // KV positions per session; 0 = the model's trained context (capped at 4096)
	BatchSize     int                              // prompt tokens per forward step; 0 = 256
	TokenizerPath string                           // llama2.c tokenizer for .bin checkpoints
	Validation    bool                             // Vulkan validation layer
	VKTimings     bool                             // per-kernel GPU timings
	Log           func(format string, args ...any) // notices such as a backend fallback; nil = silent
}

func (c *Config) normalise() error {
	switch c.Backend {
	case "":
		c.Backend = "auto"
	case "auto", "cpu", "vulkan", "ref":
	default:
		return fmt.Errorf("%w: backend %q (want auto, cpu, vulkan or ref)", ErrBadConfig, c.Backend)
	}
	if c.ContextLen < 0 || c.BatchSize < 0 || c.Threads < 0 {
		return fmt.Errorf("%w: negative context, batch or thread count", ErrBadConfig)
	}
	if c.BatchSize == 0 {
		c.BatchSize = 256
	}
	if c.Log == nil {
		c.Log = func(string, ...any) {}
	}
	return nil
}
