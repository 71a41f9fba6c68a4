package testdata

import (
	"os"
	"strings"
	"testing"
)

// CheckREADMEExample fails t unless the README at readme holds, as a Go code block, the
// lines of the example file between the markers "// README example begins" and
// "// README example ends" (one tab of indent dropped): the compiler checks the example,
// this keeps the README equal to it.
func CheckREADMEExample(t *testing.T, example, readme string) {
	t.Helper()
	src, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok1 := strings.Cut(string(src), "// README example begins\n")
	body, _, ok2 := strings.Cut(body, "\t// README example ends")
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the README example markers", example)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	want := "```go\n" + strings.Join(lines, "\n") + "\n```"
	if !strings.Contains(string(doc), want) {
		t.Errorf("%s does not hold the example as written in %s:\n%s", readme, example, want)
	}
}
