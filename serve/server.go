// Package serve is an OpenAI-compatible HTTP server over an engine: /v1/completions,
// /v1/chat/completions (with the model's chat template), streaming as server-sent events,
// /v1/models, /health and Prometheus /metrics.
package serve

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/scopekv/scope/engine"
	"github.com/scopekv/scope/scope"
)

// Config configures a Server.
type Config struct {
	Engine       *engine.Engine
	Model        string        // the model id clients name
	KV           scope.Config  // the default KV policy the request extension starts from
	MaxBodyBytes int64         // 0 = 1 MiB
	MaxTokens    int           // the most max_tokens a request may ask; 0 = the context
	Chat         ChatFormatter // renders chat messages to a prompt; nil = no chat endpoint
	Registry     *prometheus.Registry
}

// ChatFormatter renders a conversation with the model's chat template, ready to tokenize
// (special-token texts included).
type ChatFormatter func(messages []Message) (string, error)

// Message is one chat message.
type Message struct{ Role, Content string }

// Server answers the HTTP API.
type Server struct {
	cfg      Config
	mux      *http.ServeMux
	metrics  *metrics
	draining atomic.Bool
	ids      atomic.Int64
	created  int64
}

// New builds a server over cfg.Engine.
func New(cfg Config) *Server {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxTokens == 0 {
		cfg.MaxTokens = cfg.Engine.Context()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), created: time.Now().Unix()}
	s.metrics = newMetrics(cfg.Registry, cfg.Engine)
	s.mux.HandleFunc("POST /v1/completions", s.completions)
	s.mux.HandleFunc("POST /v1/chat/completions", s.chatCompletions)
	s.mux.HandleFunc("GET /v1/models", s.models)
	s.mux.HandleFunc("GET /health", s.health)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{}))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &httpError{http.StatusNotFound, "invalid_request_error", "no route " + r.Method + " " + r.URL.Path})
	})
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Drain marks the server as shutting down: /health answers 503 so balancers stop sending.
func (s *Server) Drain() { s.draining.Store(true) }

func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) models(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, modelList{Object: "list", Data: []modelInfo{{ID: s.cfg.Model, Object: "model", Created: s.created, OwnedBy: "scope"}}})
}
