package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model/quant"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// scopeBin builds the scope command once per test binary.
func scopeBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "scope-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "scope")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/scope").CombinedOutput()
		if err != nil {
			binErr = err
			binPath = string(out)
		}
	})
	if binErr != nil {
		t.Fatalf("building scope: %v\n%s", binErr, binPath)
	}
	return binPath
}

func runScope(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(scopeBin(t), args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestCLIGenerateGolden(t *testing.T) {
	dir := testdata.Dir(t)
	want := readRef(t, "stories260K_t0_n200.txt")
	for _, args := range [][]string{
		{"-m", dir + "/gguf/stories260K.gguf"},
		{"-m", dir + "/llama2c/stories260K.bin", "-z", dir + "/llama2c/tok512.bin"},
	} {
		out, errOut, code := runScope(t, append([]string{"generate", "-n", "200", "--temp", "0"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if out != want+"\n" {
			t.Errorf("%v: stdout differs\n got: %q\nwant: %q", args, out, want)
		}
		if !strings.Contains(errOut, "tok/s") {
			t.Errorf("no timings on stderr: %q", errOut)
		}
	}
	out, _, code := runScope(t, "generate", "-m", dir+"/gguf/stories260K.gguf", "-p", "Once upon a time", "-n", "60", "--temp", "0")
	if want := readRef(t, "stories260K_t0_n64_prompt-once-upon-a-time.txt"); code != 0 || out != want+"\n" {
		t.Errorf("prompt case: exit %d, got %q want %q", code, out, want)
	}
}

func TestCLITokenize(t *testing.T) {
	dir := testdata.Dir(t)
	out, errOut, code := runScope(t, "tokenize", "-m", dir+"/tokenizer/ggml-vocab-llama-spm.gguf", "I believe the meaning of life is")
	if code != 0 || strings.TrimSpace(out) != "1 306 4658 278 6593 310 2834 338" {
		t.Errorf("exit %d, got %q (%s)", code, out, errOut)
	}
	out, _, _ = runScope(t, "tokenize", "--no-bos", "-m", dir+"/llama2c/stories260K.bin", "-z", dir+"/llama2c/tok512.bin", "Once upon a time")
	if strings.TrimSpace(out) != "403 407 261 378" {
		t.Errorf("llama2.c tokenizer: got %q", out)
	}
}

// TestCLIErrors checks that bad input gives one clear line on stderr and a non-zero exit,
// never a stack trace.
func TestCLIErrors(t *testing.T) {
	tiny := synthModel(t, "tiny", quant.Q8_0)
	bad := filepath.Join(t.TempDir(), "bad.gguf")
	os.WriteFile(bad, []byte("GGUF\x03\x00\x00\x00garbage"), 0o644)
	cases := [][]string{
		{"nonsense"},
		{"generate", "-m", tiny, "stray"},
		{"generate", "-m", "/nonexistent/model.gguf"},
		{"generate", "-m", tiny, "--bogus-flag"},
		{"generate", "-m", tiny, "--temp", "-1"},
		{"generate", "-m", bad},
		{"generate", "-m", tiny, "-c", "4", "-p", "this prompt is much longer than four tokens"},
		{"generate", "-m", tiny, "--backend", "quantum"},
		{"synth", "--shape", "nope", "-o", filepath.Join(t.TempDir(), "x.gguf")},
		{"synth", "--type", "q3_x", "-o", filepath.Join(t.TempDir(), "x.gguf")},
		{"inspect", "-m", bad},
		{"generate", "-m", tiny, "--kv-decode", "slide", "--kv-decode-budget", "16", "--kv-recent", "32"},
		{"generate", "-m", tiny, "--kv-decode", "sliding"},
		{"generate", "-m", tiny, "--kv-page-size", "0"},
		{"generate", "-m", tiny, "-c", "64", "--kv-prefill", "snapkv", "--kv-prefill-budget", "100"},
	}
	for _, args := range cases {
		_, errOut, code := runScope(t, args...)
		var errLines []string
		for _, l := range strings.Split(strings.TrimSpace(errOut), "\n") {
			// "scope: notice: ..." lines (such as the backend choice) are not errors.
			if !strings.HasPrefix(l, "scope: notice: ") {
				errLines = append(errLines, l)
			}
		}
		if code == 0 || len(errLines) != 1 || strings.Contains(errOut, "goroutine") {
			t.Errorf("%v: exit %d, stderr %q: want one error line and a non-zero exit", args, code, errOut)
		}
	}
}

// TestCLITokenizeSuites runs `scope tokenize` on cases of every llama.cpp tokenizer suite.
func TestCLITokenizeSuites(t *testing.T) {
	dir := testdata.Path(t, "tokenizer")
	for _, suite := range []string{"llama-spm", "phi-3", "gpt-2", "deepseek-coder", "deepseek-llm", "falcon", "mpt", "starcoder", "refact"} {
		vocab := dir + "/ggml-vocab-" + suite + ".gguf"
		inp, err := os.ReadFile(vocab + ".inp")
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.ReadFile(vocab + ".out")
		if err != nil {
			t.Fatal(err)
		}
		texts := strings.Split(string(inp), "\n__ggml_vocab_test__\n")
		ids := strings.Split(string(out), "\n")
		for _, i := range []int{5, 9, 13, 21, 30} {
			got, e, code := runScope(t, "tokenize", "--no-bos", "-m", vocab, "--", texts[i])
			if code != 0 || strings.TrimSpace(got) != strings.TrimSpace(ids[i]) {
				t.Errorf("%s case %d (%q): got %q (%s), want %q", suite, i, texts[i], got, e, ids[i])
			}
		}
	}
}

func TestCLISynthInspect(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.gguf")
	if _, e, code := runScope(t, "synth", "--shape", "tiny", "--type", "q4_k", "-o", p); code != 0 {
		t.Fatal(e)
	}
	out, e, code := runScope(t, "inspect", "-m", p)
	if code != 0 || !strings.Contains(out, "blk.2.ffn_down.weight") || !strings.Contains(out, "Q4_K") {
		t.Errorf("inspect: exit %d %s\n%s", code, e, out)
	}
}
