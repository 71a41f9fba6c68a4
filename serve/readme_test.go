package serve_test

import (
	"testing"

	"github.com/scopekv/scope/internal/testdata"
)

// TestREADMEClientExample keeps the README's SDK example the same as Example_sdk, which
// the compiler checks.
func TestREADMEClientExample(t *testing.T) {
	testdata.CheckREADMEExample(t, "example_test.go", "../README.md")
}
