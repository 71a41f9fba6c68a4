package runtime_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEExample keeps the README's Go example the same as Example_file, which the
// compiler checks.
func TestREADMEExample(t *testing.T) {
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
		t.Errorf("README.md does not hold the example as written in Example_file:\n%s", want)
	}
}
