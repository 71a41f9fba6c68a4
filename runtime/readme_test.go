package runtime_test

import (
	"testing"

	"github.com/scopekv/scope/internal/testdata"
)

// TestREADMEExample keeps the README's Go example the same as Example_file, which the
// compiler checks.
func TestREADMEExample(t *testing.T) {
	testdata.CheckREADMEExample(t, "example_test.go", "../README.md")
}
