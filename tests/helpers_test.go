// Package tests holds end-to-end tests across packages: golden outputs of real models on
// every backend, backends agreeing with each other, and the command line.
package tests

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
	scope "github.com/scopekv/scope/runtime"
)

// backends returns the backends to test: $SCOPE_TEST_BACKENDS (comma-separated) or every
// backend built in. Vulkan is tested only when a device opens (its own tests insist on one
// when SCOPE_REQUIRE_VULKAN=1).
func backends(t *testing.T) []string {
	if s := os.Getenv("SCOPE_TEST_BACKENDS"); s != "" {
		return strings.Split(s, ",")
	}
	return scope.Backends()
}

func openModel(t *testing.T, backend string, path ...string) *scope.Model {
	t.Helper()
	// Vulkan runs under the validation layer; any message fails the test.
	cfg := scope.Config{Backend: backend, Threads: 2, Validation: backend == "vulkan"}
	if len(path) == 2 && strings.HasSuffix(path[0], ".bin") {
		cfg.TokenizerPath = path[1]
	}
	m, err := scope.Open(path[0], cfg)
	if err != nil {
		if backend == "vulkan" && os.Getenv("SCOPE_REQUIRE_VULKAN") != "1" {
			t.Skipf("skipped: no usable Vulkan device: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if msgs := m.ValidationMessages(); len(msgs) > 0 {
			t.Errorf("%d Vulkan validation messages, first: %s", len(msgs), msgs[0])
		}
		m.Close()
	})
	return m
}

func generate(t *testing.T, m *scope.Model, prompt string, opts scope.GenerateOptions) (string, *scope.Result) {
	t.Helper()
	s, err := m.NewSession(scope.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	opts.Stream = func(text string) error { sb.WriteString(text); return nil }
	res, err := s.Generate(context.Background(), prompt, opts)
	if err != nil {
		t.Fatal(err)
	}
	return sb.String(), res
}

func readRef(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(testdata.Path(t, "reference", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
