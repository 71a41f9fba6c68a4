package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	scope "github.com/scopekv/scope/runtime"
	kvpol "github.com/scopekv/scope/scope"
)

// engineBenchFlags select scope bench's engine modes: --parallel (llama-batched-bench's
// measurement through the engine) and --capacity (the KV budget's concurrency).
type engineBenchFlags struct {
	parallel string
	capacity bool
	step     int
}

func (f *engineBenchFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.parallel, "parallel", "", "run B sequences of -p prompt and -n generated tokens at once through the engine, for each B of a list such as 1,4,8,16 (llama-batched-bench's table)")
	fs.BoolVar(&f.capacity, "capacity", false, "under --kv-mem, find how many -p + -n generations run at once without preemption, with full KV and with the --kv-* policy")
	fs.IntVar(&f.step, "step-tokens", 0, "--parallel, --capacity: tokens per engine step (0 = --parallel: every prompt in one step; --capacity: the engine's 512)")
}

func (f *engineBenchFlags) active() bool { return f.parallel != "" || f.capacity }

func (f *engineBenchFlags) run(mf *modelFlags, kf *kvFlags, p, n, reps, depth int, asJSON bool) error {
	levels, err := f.check(p, n, reps, depth)
	if err != nil {
		return err
	}
	kv, err := engineKV(kf, f.capacity)
	if err != nil {
		return err
	}
	mf.batch = max(mf.batch, p)
	m, closeModel, err := mf.openProfiled()
	if err != nil {
		return err
	}
	defer closeModel()
	if f.capacity {
		return f.runCapacity(m, mf, kf, kv, p, n, asJSON)
	}
	rows, err := runParallel(m, parallelSetup{levels: levels, p: p, n: n, reps: reps, ctx: mf.ctx, kvMem: kf.memory(),
		kv: kv, stepLimit: f.step})
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(struct {
			Model   string        `json:"model"`
			Backend string        `json:"backend"`
			KV      string        `json:"kv"`
			Rows    []parallelRow `json:"rows"`
		}{modelName(mf.model), m.Device().Name, policyName(*kv), rows})
	}
	fmt.Printf("scope bench --parallel: %s on %s, KV %s\n\n", modelName(mf.model), m.Device().Name, policyName(*kv))
	printParallel(os.Stdout, rows)
	return nil
}

// check validates the flags before the model is opened; it returns --parallel's levels.
func (f *engineBenchFlags) check(p, n, reps, depth int) ([]int, error) {
	switch {
	case f.parallel != "" && f.capacity:
		return nil, errors.New("--parallel and --capacity are separate runs: pass one")
	case depth != 0:
		return nil, errors.New("-d is not supported with --parallel or --capacity")
	case f.step < 0:
		return nil, errors.New("--step-tokens must be >= 0")
	case f.capacity && (p < 1 || n < 1):
		return nil, errors.New("--capacity needs -p >= 1 and -n >= 1")
	case f.capacity:
		return nil, nil
	case p < 1 || n < 0 || reps < 1:
		return nil, errors.New("--parallel needs -p >= 1, -n >= 0 and -r >= 1")
	}
	return parseLevels("--parallel", f.parallel)
}

// engineKV is the engine's KV policy from the --kv-* flags: full KV in the paged pool when
// they name none. --capacity needs a policy and a budget.
func engineKV(kf *kvFlags, capacity bool) (*kvpol.Config, error) {
	kv, err := kf.config()
	if err != nil {
		return nil, err
	}
	if kv == nil {
		d := kvpol.DefaultConfig()
		d.PageSize = kf.pageSize
		kv = &d
	}
	if capacity && (kf.memMiB == 0 || policyName(*kv) == "full") {
		return nil, errors.New("--capacity compares full KV with a policy under one budget: pass --kv-mem MiB and a policy, e.g. --kv-decode slide --kv-decode-budget 256 --kv-recent 128")
	}
	return kv, nil
}

// runCapacity answers --capacity for full KV and for kv, under the same budget.
func (f *engineBenchFlags) runCapacity(m *scope.Model, mf *modelFlags, kf *kvFlags, kv *kvpol.Config, p, n int, asJSON bool) error {
	s := capacitySetup{p: p, n: n, ctx: mf.ctx, kvMem: kf.memory(), step: f.step}
	full := kvpol.DefaultConfig()
	full.PageSize = kv.PageSize
	var res []capacityResult
	for _, c := range []kvpol.Config{full, *kv} {
		r, err := findCapacity(m, s, c, os.Stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", policyName(c), err)
		}
		res = append(res, r)
	}
	if asJSON {
		return printJSON(struct {
			Model    string           `json:"model"`
			Backend  string           `json:"backend"`
			Budget   int64            `json:"kv_budget_bytes"`
			Prompt   int              `json:"prompt_tokens"`
			Gen      int              `json:"gen_tokens"`
			Policies []capacityResult `json:"policies"`
		}{modelName(mf.model), m.Device().Name, s.kvMem, p, n, res})
	}
	printCapacity(os.Stdout, s, s.kvMem, res)
	return nil
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
