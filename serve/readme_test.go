package serve_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEClientExample keeps the README's SDK example the same as Example_sdk, which
// the compiler checks.
func TestREADMEClientExample(t *testing.T) {
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok1 := strings.Cut(string(src), "// README example begins\n")
	body, _, ok2 := strings.Cut(body, "\t// README example ends")
	if !ok1 || !ok2 {
		t.Fatal("example_test.go lacks the README example markers")
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	want := "```go\n" + strings.Join(lines, "\n") + "\n```"
	if !strings.Contains(string(readme), want) {
		t.Errorf("README.md does not hold the client example as written in Example_sdk:\n%s", want)
	}
}
