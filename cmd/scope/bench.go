package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	scope "github.com/scopekv/scope/runtime"
)

func init() {
	commands["bench"] = command{"measure prompt-processing and generation speed", runBench}
}

type benchRow struct {
	Model     string            `json:"model"`
	Backend   string            `json:"backend"`
	Params    int64             `json:"params"`
	SizeBytes int64             `json:"weight_bytes"`
	MemBW     float64           `json:"measured_read_bw_bytes_per_sec,omitempty"`
	Roofline  float64           `json:"tg_roofline_fraction,omitempty"`
	Repacked  *scope.RepackInfo `json:"repacked,omitempty"`
	*scope.BenchResult
}

func runBench(args []string) error {
	fs := newFlags("bench")
	var mf modelFlags
	mf.register(fs)
	var kf kvFlags
	kf.register(fs)
	pp := fs.Int("p", 64, "prompt tokens processed in one batch (0 = skip)")
	tg := fs.Int("n", 32, "tokens generated one at a time (0 = skip)")
	reps := fs.Int("r", 2, "repetitions (the best is reported)")
	depth := fs.Int("d", 0, "tokens already in the cache before each test (as llama-bench -d)")
	asJSON := fs.Bool("json", false, "print JSON")
	membw := fs.Bool("membw", true, "measure the host's read bandwidth and report the roofline fraction")
	vkStats := fs.Bool("vk-stats", false, "print the device's dispatches, barriers, submits and encode time per generated token")
	var eb engineBenchFlags
	eb.register(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if eb.active() {
		return eb.run(&mf, &kf, *pp, *tg, *reps, *depth, *asJSON)
	}
	if *pp < 0 || *tg < 0 || *depth < 0 || *reps < 1 {
		return fmt.Errorf("-p, -n and -d must be >= 0 and -r >= 1")
	}
	kvc, err := kf.config()
	if err != nil {
		return err
	}
	if *pp > mf.batch {
		mf.batch = *pp
	}
	if need := *depth + *pp + *tg + 1; *depth > 0 && mf.ctx < need {
		mf.ctx = need
	}
	m, closeModel, err := mf.openProfiled()
	if err != nil {
		return err
	}
	defer closeModel()
	res, err := m.Bench(context.Background(), scope.BenchOptions{PromptTokens: *pp, GenTokens: *tg, Reps: *reps, Depth: *depth,
		Session: scope.SessionOptions{ContextLen: mf.ctx, KV: kvc, KVMemory: kf.memory(), PageSize: kf.pageSize}})
	if err != nil {
		return err
	}
	row := benchRow{Model: modelName(mf.model), Backend: m.Device().Name, Params: m.File().Parameters(),
		SizeBytes: res.WeightBytes, BenchResult: res}
	if rp := m.Repacked(); rp.Tensors > 0 {
		row.Repacked = &rp
	}
	if *membw && m.Device().Kind == "cpu" {
		row.MemBW = scope.MeasureBandwidth(mf.threads)
		row.Roofline = res.GenBytesPerSec / row.MemBW
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(row)
	}
	printBench(row)
	if rp := row.Repacked; rp != nil {
		fmt.Printf("\ncpu: %d weights repacked to interleaved rows: %.1f MiB extra, %.0f ms\n",
			rp.Tensors, float64(rp.ExtraBytes)/(1<<20), 1000*rp.Seconds)
	}
	if *vkStats {
		printDeviceStats(res.GenDevice)
	}
	return nil
}

func printDeviceStats(c *scope.TokenCounters) {
	if c == nil {
		fmt.Println("(this backend does not count its dispatches)")
		return
	}
	fmt.Printf("per generated token: %.1f dispatches, %.1f barriers, %.2f submits, %.0f us encoding (%.0f us CPU; %.0f%% of steps reused their recording)\n",
		c.Dispatches, c.Barriers, c.Submits, c.EncodeMicros, c.EncodeCPU, 100*c.Reused)
}

func printBench(r benchRow) {
	fmt.Printf("| model | size | params | backend | test | t/s | roofline |\n|---|---|---|---|---|---|---|\n")
	size := fmt.Sprintf("%.1f MiB", float64(r.SizeBytes)/(1<<20))
	params := fmt.Sprintf("%.1fM", float64(r.Params)/1e6)
	at := ""
	if r.Depth > 0 {
		at = fmt.Sprintf(" @ d%d", r.Depth)
	}
	if r.PromptTokens > 0 {
		fmt.Printf("| %s | %s | %s | %s | pp%d%s | %.2f | |\n", r.Model, size, params, r.Backend, r.PromptTokens, at, r.PromptPerSec)
	}
	if r.GenTokens > 0 {
		roof := ""
		if r.MemBW > 0 {
			roof = fmt.Sprintf("%.0f%% of %.1f GB/s (%.1f GB/s)", 100*r.Roofline, r.MemBW/1e9, r.GenBytesPerSec/1e9)
		}
		fmt.Printf("| %s | %s | %s | %s | tg%d%s | %.2f | %s |\n", r.Model, size, params, r.Backend, r.GenTokens, at, r.GenPerSec, roof)
	}
	if r.FullKVBytes > 0 {
		fmt.Printf("\nKV store per sequence: %s with the policy, %s for the full cache (%.1f%%)\n", mib(r.KVBytes),
			mib(r.FullKVBytes), 100*float64(r.KVBytes)/float64(r.FullKVBytes))
	} else {
		fmt.Printf("\nKV store per sequence: %s (full cache)\n", mib(r.KVBytes))
	}
}

func mib(b int64) string { return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20)) }
