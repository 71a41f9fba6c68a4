package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/pkg/profile"
	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/builtin"
	scope "github.com/scopekv/scope/runtime"
)

// modelFlags are the flags every model-running command shares.
type modelFlags struct {
	model, tokenizer, backend, cpuPath, profile, profileDir string
	device, threads, ctx, batch                             int
	validation, vkTimings                                   bool
}

func (f *modelFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.model, "m", "", "model file (.gguf or llama2.c .bin); default: the built-in "+builtin.Name)
	alias(fs, "m", "model")
	fs.StringVar(&f.tokenizer, "z", "", "llama2.c tokenizer file (required for a .bin model)")
	fs.StringVar(&f.backend, "backend", "auto", "compute backend: auto (Vulkan GPU, else CPU), cpu, vulkan or ref")
	fs.IntVar(&f.device, "device", -1, "Vulkan device index (-1 = best)")
	fs.IntVar(&f.threads, "t", 0, "CPU threads (0 = physical cores)")
	alias(fs, "t", "threads")
	fs.StringVar(&f.cpuPath, "cpu-path", "", "force a CPU kernel path (generic, avx2, avx512, neon)")
	fs.IntVar(&f.ctx, "c", 0, "context length (0 = the model's, at most 4096)")
	alias(fs, "c", "ctx-size")
	fs.IntVar(&f.batch, "b", 256, "prompt tokens per forward step")
	alias(fs, "b", "batch-size")
	fs.BoolVar(&f.validation, "vk-validation", false, "enable the Vulkan validation layer")
	fs.BoolVar(&f.vkTimings, "vk-timings", false, "print per-kernel GPU time per step")
	fs.StringVar(&f.profile, "profile", "", "profile the run: cpu, mem, trace")
	fs.StringVar(&f.profileDir, "profile-dir", ".", "where profiles are written")
}

func (f *modelFlags) config() scope.Config {
	return scope.Config{Backend: f.backend, Device: f.device + 1, Threads: f.threads, CPUPath: f.cpuPath,
		ContextLen: f.ctx, BatchSize: f.batch, TokenizerPath: f.tokenizer, Validation: f.validation,
		VKTimings: f.vkTimings, Log: func(format string, args ...any) { notice(format, args...) }}
}

// open loads the model (the built-in one without -m). An explicit --backend vulkan runs on
// Vulkan or fails; only auto falls back to the CPU.
func (f *modelFlags) open() (*scope.Model, error) {
	if f.batch <= 0 {
		return nil, fmt.Errorf("-b must be positive, got %d", f.batch)
	}
	var m *scope.Model
	var err error
	if isBuiltin(f.model) {
		noticeBuiltin(f.model)
		var file *model.Model
		if file, err = builtin.Open(); err == nil {
			if m, err = scope.OpenModel(file, f.config()); err != nil {
				file.Close()
			}
		}
	} else {
		m, err = scope.Open(f.model, f.config())
	}
	if err != nil && f.backend == "vulkan" && isDeviceError(err) {
		return nil, fmt.Errorf("%w (--backend auto or cpu runs on the CPU)", err)
	}
	return m, explainModelError(err)
}

// startProfile starts the requested profile; the returned stop function is never nil.
func (f *modelFlags) startProfile() (func(), error) {
	opts := []func(*profile.Profile){profile.ProfilePath(f.profileDir), profile.Quiet, profile.NoShutdownHook}
	switch f.profile {
	case "":
		return func() {}, nil
	case "cpu":
		opts = append(opts, profile.CPUProfile)
	case "mem":
		opts = append(opts, profile.MemProfile)
	case "trace":
		opts = append(opts, profile.TraceProfile)
	default:
		return nil, fmt.Errorf("--profile %q: want cpu, mem or trace", f.profile)
	}
	p := profile.Start(opts...)
	return func() {
		p.Stop()
		fmt.Fprintf(os.Stderr, "scope: %s profile written to %s\n", f.profile, f.profileDir)
	}, nil
}

func isDeviceError(err error) bool {
	return errors.Is(err, scope.ErrOutOfMemory) || errors.Is(err, scope.ErrDeviceLost) || errors.Is(err, scope.ErrNoDevice)
}

// openProfiled starts the requested profile and opens the model; close stops both.
func (f *modelFlags) openProfiled() (m *scope.Model, close func(), err error) {
	stop, err := f.startProfile()
	if err != nil {
		return nil, nil, err
	}
	if m, err = f.open(); err != nil {
		stop()
		return nil, nil, err
	}
	return m, func() { m.Close(); stop() }, nil
}
