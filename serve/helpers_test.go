package serve_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/scopekv/scope/engine"
	"github.com/scopekv/scope/internal/testdata"
	scope "github.com/scopekv/scope/runtime"
	kvpol "github.com/scopekv/scope/scope"
	"github.com/scopekv/scope/serve"
)

const testContext = 256

// fixture is a server on 127.0.0.1 over stories260K and an SDK client for it.
type fixture struct {
	m      *scope.Model
	eng    *engine.Engine
	srv    *serve.Server
	ts     *httptest.Server
	tr     *http.Transport
	client openai.Client
	url    string
}

var (
	modelOnce sync.Once
	modelPath string
)

func openModel(t *testing.T) *scope.Model {
	t.Helper()
	path := testdata.Path(t, "gguf", "stories260K.gguf")
	m, err := scope.Open(path, scope.Config{Backend: "cpu", Threads: 1, ContextLen: testContext})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// testChat is a plain chat format for the endpoint's tests (a model file's template is
// tested where the command wires it).
func testChat(msgs []serve.Message) (string, error) {
	var sb strings.Builder
	for _, m := range msgs {
		sb.WriteString(m.Content)
		sb.WriteString(" ")
	}
	return strings.TrimSpace(sb.String()), nil
}

func newFixture(t *testing.T, opt engine.Options) *fixture {
	t.Helper()
	f := &fixture{m: openModel(t)}
	opt.ContextLen = testContext
	var err error
	if f.eng, err = engine.New(f.m, opt); err != nil {
		t.Fatal(err)
	}
	f.srv = serve.New(serve.Config{Engine: f.eng, Model: "stories", KV: kvpol.DefaultConfig(), MaxBodyBytes: 64 << 10, Chat: testChat})
	f.ts = httptest.NewServer(f.srv)
	f.url = f.ts.URL
	f.tr = &http.Transport{MaxIdleConnsPerHost: 64}
	f.client = openai.NewClient(option.WithBaseURL(f.url+"/v1/"), option.WithAPIKey("none"), option.WithMaxRetries(0),
		option.WithHTTPClient(&http.Client{Transport: f.tr, Timeout: 60 * time.Second}))
	t.Cleanup(f.close)
	return f
}

func (f *fixture) close() {
	f.ts.Close()
	f.tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f.eng.Close(ctx)
}

// waitIdle waits until the engine holds no request, no reservation and no pool page.
func waitIdle(t *testing.T, e *engine.Engine) {
	t.Helper()
	for i := 0; i < 300; i++ {
		s := e.Stats()
		if s.Running == 0 && s.Waiting == 0 && s.KVInUse == 0 && s.PoolPagesUsed == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("engine not idle: %+v", e.Stats())
}

// settleGoroutines waits for the goroutine count to come back to base.
func settleGoroutines(t *testing.T, base int) {
	t.Helper()
	n := 0
	for i := 0; i < 200; i++ {
		if n = runtime.NumGoroutine(); n <= base {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Fatalf("%d goroutines left, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
}

// singleRun is the reference: the request alone in its own session.
func singleRun(t *testing.T, m *scope.Model, prompt string, n int, kv *kvpol.Config) string {
	t.Helper()
	s, err := m.NewSession(scope.SessionOptions{ContextLen: testContext, KV: kv})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Generate(context.Background(), prompt, scope.GenerateOptions{MaxTokens: n})
	if err != nil {
		t.Fatal(err)
	}
	return res.Text
}

func greedyCompletion(prompt string, n int) openai.CompletionNewParams {
	return openai.CompletionNewParams{
		Model:       "stories",
		Prompt:      openai.CompletionNewParamsPromptUnion{OfString: openai.String(prompt)},
		MaxTokens:   openai.Int(int64(n)),
		Temperature: openai.Float(0),
	}
}
