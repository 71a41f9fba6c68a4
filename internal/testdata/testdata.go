// Package testdata locates the shared test assets (real models, tokenizer suites, reference
// outputs) that live beside the checkout in ../shared/testdata.
package testdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Root returns the shared testdata directory, or "" when it is not present. The environment
// variable SCOPE_TESTDATA overrides the default location.
func Root() string {
	if d := os.Getenv("SCOPE_TESTDATA"); d != "" {
		return d
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	// file is <repo>/internal/testdata/testdata.go; the data is <repo>/../shared/testdata.
	d := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata")
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		return d
	}
	return ""
}

// Dir returns the shared testdata directory. When it is absent the test is skipped with a
// clear reason, or fails if SCOPE_REQUIRE_TESTDATA=1 (CI sets it so nothing skips silently).
func Dir(t testing.TB) string {
	t.Helper()
	d := Root()
	if d == "" {
		msg := "shared test data not found (expected ../shared/testdata beside the checkout, or $SCOPE_TESTDATA)"
		if os.Getenv("SCOPE_REQUIRE_TESTDATA") == "1" {
			t.Fatal(msg)
		}
		t.Skip("skipped: " + msg)
	}
	return d
}

// Path joins elements under the shared testdata directory (skipping like Dir when absent).
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	return filepath.Join(append([]string{Dir(t)}, elem...)...)
}
