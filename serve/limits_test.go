package serve_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scopekv/scope/engine"
)

// post sends a raw body and returns the status and the decoded OpenAI error.
func post(t *testing.T, url, path, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s %s: body is not JSON: %q", path, body, b)
	}
	return resp.StatusCode, v
}

func TestBadRequestsAnswer4xxAndChangeNothing(t *testing.T) {
	f := newFixture(t, engine.Options{Parallel: 2})
	before := f.eng.Stats()
	long := `"` + strings.Repeat("once upon a time ", 200) + `"`
	cases := []struct {
		name, path, body string
		status           int
	}{
		{"malformed", "/v1/completions", `{"prompt": "a",`, 400},
		{"not an object", "/v1/completions", `[1,2]`, 400},
		{"wrong type", "/v1/completions", `{"prompt": "a", "max_tokens": "ten"}`, 400},
		{"wrong type nested", "/v1/completions", `{"prompt": "a", "kv": {"decode": 5}}`, 400},
		{"prompt type", "/v1/completions", `{"prompt": {"text": "a"}}`, 400},
		{"long prompt", "/v1/completions", `{"prompt": ` + long + `, "max_tokens": 1}`, 400},
		{"max_tokens 1e9", "/v1/completions", `{"prompt": "a", "max_tokens": 1000000000}`, 400},
		{"max_tokens 0", "/v1/completions", `{"prompt": "a", "max_tokens": 0}`, 400},
		{"n", "/v1/completions", `{"prompt": "a", "n": 2}`, 400},
		{"top_p", "/v1/completions", `{"prompt": "a", "top_p": 3}`, 400},
		{"kv policy", "/v1/completions", `{"prompt": "a", "kv": {"decode": "nonsense"}}`, 400},
		{"kv budget", "/v1/completions", `{"prompt": "a", "kv": {"decode": "slide", "decode_budget": 4, "recent": 8}}`, 400},
		{"stop type", "/v1/completions", `{"prompt": "a", "stop": 3}`, 400},
		{"chat no messages", "/v1/chat/completions", `{"messages": []}`, 400},
		{"chat content", "/v1/chat/completions", `{"messages": [{"role": "user", "content": 7}]}`, 400},
		{"too large", "/v1/completions", `{"prompt": "` + strings.Repeat("a", 70<<10) + `"}`, 413},
		{"no route", "/v1/embeddings", `{}`, 404},
	}
	for _, c := range cases {
		status, v := post(t, f.url, c.path, c.body)
		e, _ := v["error"].(map[string]any)
		if status != c.status || e == nil || e["message"] == "" || e["type"] == "" {
			t.Errorf("%s: status %d body %v, want %d with an OpenAI error", c.name, status, v, c.status)
		}
	}
	after := f.eng.Stats()
	after.TokensPerSecond, before.TokensPerSecond = 0, 0
	if after != before {
		t.Errorf("bad requests changed the engine:\n%+v\n%+v", before, after)
	}
}

func TestDrainingAnswers503(t *testing.T) {
	f := newFixture(t, engine.Options{Parallel: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f.srv.Drain()
	if err := f.eng.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if status, _ := post(t, f.url, "/v1/completions", `{"prompt": "a"}`); status != 503 {
		t.Errorf("request while draining: %d, want 503", status)
	}
	resp, err := http.Get(f.url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("health while draining: %d", resp.StatusCode)
	}
}

func TestQueueFullAnswers429(t *testing.T) {
	f := newFixture(t, engine.Options{Parallel: 1, MaxQueue: 1})
	// Requests that cannot finish soon keep the queue full; count the 429s.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got429 := false
	for i := 0; i < 20 && !got429; i++ {
		req, _ := http.NewRequestWithContext(ctx, "POST", f.url+"/v1/completions",
			strings.NewReader(`{"prompt": "Once upon a time", "max_tokens": 200, "stream": true}`))
		resp, err := f.tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == 429 {
			got429 = true
		}
		if resp.StatusCode != 200 {
			resp.Body.Close()
		}
	}
	if !got429 {
		t.Error("a full queue never answered 429")
	}
	cancel()
	waitIdle(t, f.eng)
}

func TestMetricsAndModels(t *testing.T) {
	f := newFixture(t, engine.Options{Parallel: 1})
	if _, err := f.client.Completions.New(context.Background(), greedyCompletion("Once", 5)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(f.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, name := range []string{"scope_running_sequences 0", "scope_waiting_sequences 0", "scope_kv_pages_used 0",
		"scope_kv_pages_free", "scope_kv_pool_pages_used 0", "scope_generation_tokens_per_second", "scope_time_to_first_token_seconds_count 1",
		"scope_preemptions_total 0", "scope_generated_tokens_total 5", `scope_requests_total{outcome="length"} 1`} {
		if !strings.Contains(string(b), name) {
			t.Errorf("metrics lack %q", name)
		}
	}
	list, err := f.client.Models.List(context.Background())
	if err != nil || len(list.Data) != 1 || list.Data[0].ID != "stories" {
		t.Errorf("models: %+v %v", list, err)
	}
}
