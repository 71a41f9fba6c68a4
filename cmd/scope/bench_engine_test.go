package main

import (
	"bytes"
	"strings"
	"testing"

	scope "github.com/scopekv/scope/runtime"
	kvpol "github.com/scopekv/scope/scope"
)

func openTiny(t *testing.T, ctx int) *scope.Model {
	t.Helper()
	m, err := scope.Open(tinyModel(t), scope.Config{Backend: "cpu", Threads: 1, ContextLen: ctx})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// Every level runs B sequences through one prompt step and N decode steps of B tokens.
func TestBenchParallelRows(t *testing.T) {
	m := openTiny(t, 64)
	full := kvpol.DefaultConfig()
	const p, n = 9, 5
	rows, err := runParallel(m, parallelSetup{levels: []int{1, 3}, p: p, n: n, reps: 2, kv: &full})
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range []int{1, 3} {
		r := rows[i]
		if r.B != b || r.PP != p || r.TG != n || r.NKV != b*(p+n) || r.DecodeSteps != n || r.MeanBatch != float64(b) {
			t.Errorf("B=%d: row %+v", b, r)
		}
		if r.TPP <= 0 || r.TTG <= 0 || r.SPP <= 0 || r.STG <= 0 || r.T != r.TPP+r.TTG || r.TTFTms <= 0 {
			t.Errorf("B=%d: times %+v", b, r)
		}
		if r.Preemptions != 0 || r.PeakKV <= 0 || r.PeakKV > r.KVBudget {
			t.Errorf("B=%d: memory %+v", b, r)
		}
	}
	var out bytes.Buffer
	printParallel(&out, rows)
	if !strings.Contains(out.String(), "| S_TG t/s |") || strings.Count(out.String(), "\n") != 4 {
		t.Errorf("table:\n%s", out.String())
	}
}

// With the budget at 2.5 full-KV reservations, full KV runs 2 sequences at once and
// Slide as many as its smaller reservation allows; the trial one above fails at admission.
func TestBenchCapacity(t *testing.T) {
	m := openTiny(t, 160)
	s := capacitySetup{p: 24, n: 136}
	full := kvpol.DefaultConfig()
	sl := kvpol.DefaultConfig()
	sl.Decode, sl.DecodeBudget, sl.Recent = kvpol.DecodeSlide, 16, 8
	eng, err := capacityEngine(m, s, full, 1)
	if err != nil {
		t.Fatal(err)
	}
	rf, rs := eng.Reserve(&full, s.p, s.n), eng.Reserve(&sl, s.p, s.n)
	eng.Close(t.Context())
	s.kvMem = rf*5/2 + 1
	var log bytes.Buffer
	for _, c := range []struct {
		kv   kvpol.Config
		want int
	}{{full, 2}, {sl, int(s.kvMem / rs)}} {
		r, err := findCapacity(m, s, c.kv, &log)
		if err != nil {
			t.Fatal(err)
		}
		last := r.Trials[len(r.Trials)-1]
		if r.Concurrent != c.want || last.OK || last.K != c.want+1 || last.Admitted != c.want {
			t.Errorf("%s: %+v, want %d concurrent", r.Policy, r, c.want)
		}
	}
	if int(s.kvMem/rs) <= 2 {
		t.Errorf("Slide reserves %d bytes, full KV %d: no gain to show", rs, rf)
	}
	t.Log(log.String())
}

func TestBenchEngineFlagErrors(t *testing.T) {
	m := tinyModel(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "-m", m, "--bench", "1,4"}, "scope bench --parallel 1,4"},
		{[]string{"bench", "-m", m, "--capacity", "--kv-decode", "slide"}, "--kv-mem"},
		{[]string{"bench", "-m", m, "--capacity", "--kv-mem", "4"}, "policy"},
		{[]string{"bench", "-m", m, "--parallel", "1,0"}, "positive counts"},
		{[]string{"bench", "-m", m, "--parallel", "2", "--capacity", "--kv-mem", "4", "--kv-decode", "slide"}, "pass one"},
		{[]string{"bench", "-m", m, "--parallel", "2", "-p", "0"}, "-p >= 1"},
	} {
		var stderr bytes.Buffer
		if rc := run(c.args, &stderr); rc == 0 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("scope %v: exit %d, %q; want an error naming %q", c.args, rc, stderr.String(), c.want)
		}
	}
	runCLI(t, "bench", "-m", m, "--backend", "cpu", "-t", "1", "--parallel", "1,2", "-p", "5", "-n", "3", "-r", "1", "--json")
}
