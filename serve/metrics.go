package serve

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/scopekv/scope/engine"
)

// metrics are the Prometheus series: engine state read at scrape time, plus what the
// handlers observe.
type metrics struct {
	ttft     prometheus.Histogram
	requests *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry, e *engine.Engine) *metrics {
	stat := func(f func(engine.Stats) float64) func() float64 {
		return func() float64 { return f(e.Stats()) }
	}
	pages := func(b int64, s engine.Stats) float64 { return float64(b / max(s.KVPageBytes, 1)) }
	gauge := func(name, help string, f func(engine.Stats) float64) {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, stat(f)))
	}
	counter := func(name, help string, f func(engine.Stats) float64) {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, stat(f)))
	}
	gauge("scope_running_sequences", "Sequences being generated.", func(s engine.Stats) float64 { return float64(s.Running) })
	gauge("scope_waiting_sequences", "Requests waiting for admission.", func(s engine.Stats) float64 { return float64(s.Waiting) })
	gauge("scope_kv_pages_used", "KV pages reserved by running sequences.", func(s engine.Stats) float64 { return pages(s.KVInUse, s) })
	gauge("scope_kv_pages_free", "KV pages not reserved.", func(s engine.Stats) float64 { return pages(s.KVBudget-s.KVInUse, s) })
	gauge("scope_kv_pool_pages", "Pages of the shared KV pool.", func(s engine.Stats) float64 { return float64(s.PoolPages) })
	gauge("scope_kv_pool_pages_used", "Pages of the shared KV pool holding entries now.", func(s engine.Stats) float64 { return float64(s.PoolPagesUsed) })
	gauge("scope_generation_tokens_per_second", "Generated tokens per second over the last 10 s.", func(s engine.Stats) float64 { return s.TokensPerSecond })
	counter("scope_generated_tokens_total", "Tokens generated.", func(s engine.Stats) float64 { return float64(s.GeneratedTokens) })
	counter("scope_prompt_tokens_total", "Prompt tokens evaluated (recomputation included).", func(s engine.Stats) float64 { return float64(s.PromptTokens) })
	counter("scope_prompt_tokens_shared_total", "Prompt tokens whose KV pages came from another sequence with the same prompt start.", func(s engine.Stats) float64 { return float64(s.SharedPromptTokens) })
	counter("scope_preemptions_total", "Sequences preempted and requeued for recomputation.", func(s engine.Stats) float64 { return float64(s.Preemptions) })
	m := &metrics{
		ttft: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "scope_time_to_first_token_seconds",
			Help: "Time from a request's arrival to its first token.", Buckets: prometheus.ExponentialBuckets(0.01, 2, 14)}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scope_requests_total",
			Help: "Requests by outcome."}, []string{"outcome"}),
	}
	reg.MustRegister(m.ttft, m.requests)
	return m
}
