package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
)

// builtinStory is what the built-in stories260K model writes greedily after "Once upon a
// time" in 60 new tokens (llama2.c's run.c writes the same).
const builtinStory = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. " +
	"One day, she saw a big, red ball. She wanted to play with it, but it was too high.\nLily"

// cliRun is one scope invocation with its own stdin, environment and directory.
type cliRun struct {
	stdin io.Reader // nil: /dev/null
	env   []string  // added to the environment
	dir   string    // "": the test's directory
}

func (r cliRun) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(scopeBin(t), args...)
	cmd.Stdin, cmd.Dir = r.stdin, r.dir
	cmd.Env = append(os.Environ(), r.env...)
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

// mustRun runs scope and fails the test unless it exits 0.
func mustRun(t *testing.T, r cliRun, args ...string) (stdout, stderr string) {
	t.Helper()
	out, errOut, code := r.run(t, args...)
	if code != 0 {
		t.Fatalf("scope %q: exit %d\n%s", args, code, errOut)
	}
	return out, errOut
}

// errorLines returns stderr without notices.
func errorLines(stderr string) []string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if l != "" && !strings.HasPrefix(l, "scope: notice: ") {
			lines = append(lines, l)
		}
	}
	return lines
}

// mustFail runs scope and checks for a non-zero exit with one error line containing want.
func mustFail(t *testing.T, r cliRun, want string, args ...string) {
	t.Helper()
	out, errOut, code := r.run(t, args...)
	lines := errorLines(errOut)
	if code == 0 || len(lines) != 1 || !strings.Contains(lines[0], want) || strings.Contains(errOut, "goroutine") {
		t.Errorf("scope %q: exit %d, stdout %q, stderr %q: want one error line with %q", args, code, out, errOut, want)
	}
}

var greedy = []string{"generate", "--temp", "0", "-n", "60"}

func TestCLIBuiltinModelOnAnyMachine(t *testing.T) {
	// From an empty directory with no shared test data, as on a fresh clone.
	r := cliRun{dir: t.TempDir(), env: []string{"SCOPE_TESTDATA=" + filepath.Join(t.TempDir(), "none")}}
	for _, model := range [][]string{nil, {"-m", "stories260K"}, {"--model", "stories260K"}} {
		out, errOut := mustRun(t, r, append(append(greedy, "-p", "Once upon a time"), model...)...)
		if out != builtinStory+"\n" {
			t.Errorf("%v: got %q, want %q", model, out, builtinStory)
		}
		if !strings.Contains(errOut, "scope: notice: model stories260K (built in") {
			t.Errorf("%v: no notice naming the built-in model: %q", model, errOut)
		}
	}
	if out, _ := mustRun(t, r, "inspect"); !strings.Contains(out, "stories260K (built in)") {
		t.Errorf("inspect does not name the model:\n%s", out)
	}
	if out, _ := mustRun(t, r, "devices"); !strings.Contains(out, "default model: stories260K") {
		t.Errorf("devices does not name the default model:\n%s", out)
	}
	if out, _ := mustRun(t, r, "tokenize", "Once upon a time"); strings.TrimSpace(out) != "1 403 407 261 378" {
		t.Errorf("tokenize with the built-in model: %q", out)
	}
}

func TestCLIBuiltinModelMatchesReference(t *testing.T) {
	want := readRef(t, "stories260K_t0_n64_prompt-once-upon-a-time.txt")
	if want != builtinStory {
		t.Fatalf("reference %q differs from the built-in story %q", want, builtinStory)
	}
}

func TestCLIPromptSources(t *testing.T) {
	const prompt = "Once upon a time"
	want := builtinStory + "\n"
	file := filepath.Join(t.TempDir(), "prompt.txt")
	if err := os.WriteFile(file, []byte(prompt+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	piped := func() cliRun { return cliRun{stdin: strings.NewReader(prompt + "\n")} }
	cases := []struct {
		name string
		r    cliRun
		args []string
	}{
		{"-p", cliRun{}, []string{"-p", prompt}},
		{"--prompt", cliRun{}, []string{"--prompt", prompt}},
		{"-f", cliRun{}, []string{"-f", file}},
		{"--file", cliRun{}, []string{"--file", file}},
		{"-p -", piped(), []string{"-p", "-"}},
		{"-f -", piped(), []string{"-f", "-"}},
		{"piped stdin", piped(), nil},
	}
	for _, c := range cases {
		if out, _ := mustRun(t, c.r, append(greedy, c.args...)...); out != want {
			t.Errorf("%s: got %q, want %q", c.name, out, want)
		}
	}
	mustFail(t, cliRun{}, "unexpected argument \"Once\"", "generate", "-n", "4", "Once", "upon")
	mustFail(t, cliRun{}, "unexpected argument", "generate", "-p", prompt, "-n", "4", "extra")
	mustFail(t, cliRun{}, "not both", "generate", "-p", prompt, "-f", file)
	mustFail(t, cliRun{}, "-f", "generate", "-f", filepath.Join(t.TempDir(), "missing.txt"))
	mustFail(t, cliRun{}, "unexpected argument", "bench", "stray")
}

func TestCLIStopStrings(t *testing.T) {
	want := "Once upon a time, there was a little girl named \n"
	for _, flag := range []string{"-r", "--reverse-prompt", "--stop"} {
		out, errOut := mustRun(t, cliRun{}, append(greedy, "-p", "Once upon a time", flag, "Lily")...)
		if out != want || !strings.Contains(errOut, "stop: stop") {
			t.Errorf("%s Lily: got %q (%s), want %q and stop reason stop", flag, out, errOut, want)
		}
	}
	// The earliest of several stop strings wins.
	out, _ := mustRun(t, cliRun{}, append(greedy, "-p", "Once upon a time", "-r", "park", "-r", "girl")...)
	if out != "Once upon a time, there was a little \n" {
		t.Errorf("two stop strings: got %q", out)
	}
}

// generateResult is the part of generate --json the tests read.
type generateResult struct {
	Model        string  `json:"model"`
	Text         string  `json:"text"`
	Tokens       []int32 `json:"tokens"`
	PromptTokens int     `json:"prompt_tokens"`
	Generated    int     `json:"generated_tokens"`
	StopReason   string  `json:"stop_reason"`
	Seed         uint64  `json:"seed"`
	Timings      struct {
		PromptMS       float64 `json:"prompt_ms"`
		GenerateMS     float64 `json:"generate_ms"`
		GeneratePerSec float64 `json:"generate_tokens_per_sec"`
	} `json:"timings"`
	KV struct {
		Policy     string          `json:"policy"`
		Positions  int             `json:"positions"`
		ContextLen int             `json:"context_len"`
		Report     json.RawMessage `json:"report"`
	} `json:"kv"`
}

// generateJSON runs generate --json and decodes its single JSON object.
func generateJSON(t *testing.T, args ...string) generateResult {
	t.Helper()
	out, _ := mustRun(t, cliRun{}, append([]string{"generate", "--json"}, args...)...)
	dec := json.NewDecoder(strings.NewReader(out))
	var res generateResult
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	if dec.More() {
		t.Fatalf("--json printed more than one object: %q", out)
	}
	return res
}

func TestCLIJSON(t *testing.T) {
	res := generateJSON(t, "-p", "Once upon a time", "-n", "60", "--temp", "0")
	if "Once upon a time"+res.Text != builtinStory || res.StopReason != "length" || res.Generated != 60 || len(res.Tokens) != 60 {
		t.Errorf("json: %+v", res)
	}
	if res.Model != "stories260K (built in)" || res.PromptTokens != 5 || res.Timings.GenerateMS <= 0 || res.Timings.GeneratePerSec <= 0 {
		t.Errorf("json model, prompt or timings: %+v", res)
	}
	if res.KV.Policy != "full+none" || res.KV.Positions < 64 || res.KV.Positions > 65 || res.KV.ContextLen != 2048 || res.KV.Report != nil {
		t.Errorf("json kv: %+v", res.KV)
	}
	res = generateJSON(t, "-p", "Once upon a time", "-n", "60", "--temp", "0",
		"--kv-decode", "slide", "--kv-decode-budget", "24", "--kv-recent", "8")
	var report struct {
		Decode    string `json:"decode"`
		Evictions int64  `json:"evictions"`
	}
	if err := json.Unmarshal(res.KV.Report, &report); err != nil || report.Decode != "slide" || report.Evictions == 0 || res.KV.Policy != "full+slide" {
		t.Errorf("json kv report with slide: %v %+v (%s)", err, report, res.KV.Report)
	}
}

func TestCLIEndOfText(t *testing.T) {
	free := generateJSON(t, "-p", "Once upon a time", "-n", "-1", "--temp", "0")
	if free.StopReason != "eos" || free.Generated == 0 {
		t.Fatalf("-n -1: stop %q after %d tokens, want eos", free.StopReason, free.Generated)
	}
	n := free.Generated + 10
	res := generateJSON(t, "-p", "Once upon a time", "-n", fmt.Sprint(n), "--temp", "0", "--ignore-eos")
	if res.StopReason != "length" || res.Generated != n || !strings.HasPrefix(res.Text, free.Text) {
		t.Errorf("--ignore-eos -n %d: stop %q after %d tokens", n, res.StopReason, res.Generated)
	}
	res = generateJSON(t, "-p", "Once upon a time", "-n", "-1", "-c", "48", "--temp", "0", "--ignore-eos")
	if res.StopReason != "context" {
		t.Errorf("--ignore-eos -n -1 -c 48: stop %q after %d tokens, want context", res.StopReason, res.Generated)
	}
	out, _ := mustRun(t, cliRun{}, append(greedy, "-p", "Once upon a time", "--no-display-prompt")...)
	if out != strings.TrimPrefix(builtinStory, "Once upon a time")+"\n" {
		t.Errorf("--no-display-prompt: got %q", out)
	}
	mustFail(t, cliRun{}, "-n must be", "generate", "-n", "-2")
}

func TestCLILongFlags(t *testing.T) {
	short := []string{"generate", "-m", "stories260K", "-p", "Once upon a time", "-n", "40", "-c", "256", "-t", "1",
		"-s", "7", "--temp", "0.9", "--top-k", "20", "--top-p", "0.9", "--backend", "cpu"}
	long := []string{"generate", "--model", "stories260K", "--prompt", "Once upon a time", "--n-predict", "40", "--ctx-size", "256",
		"--threads", "1", "--seed", "7", "--temp", "0.9", "--top-k", "20", "--top-p", "0.9", "--backend", "cpu"}
	a, errA := mustRun(t, cliRun{}, short...)
	b, errB := mustRun(t, cliRun{}, long...)
	if a != b || !strings.HasPrefix(a, "Once upon a time") {
		t.Errorf("short and long forms differ:\n%q\n%q", a, b)
	}
	for _, e := range []string{errA, errB} {
		if !strings.Contains(e, " 1 threads") || !strings.Contains(e, "generated 40 tok") || strings.Contains(e, "seed") {
			t.Errorf("threads, -n or seed not honoured: %q", e)
		}
	}
	other, _ := mustRun(t, cliRun{}, append(long, "--seed", "8")...)
	if other == a {
		t.Errorf("--seed 8 gave the same text as --seed 7")
	}
	if _, e := mustRun(t, cliRun{}, "generate", "--ctx-size", "16", "--n-predict", "40", "--temp", "0"); !strings.Contains(e, "stop: context") {
		t.Errorf("--ctx-size 16 did not fill the context: %q", e)
	}
	mustFail(t, cliRun{}, "/nonexistent/m.gguf", "generate", "--model", "/nonexistent/m.gguf")
}

func TestCLIRandomSeedPrinted(t *testing.T) {
	args := []string{"generate", "-p", "Once upon a time", "-n", "40", "--temp", "1"}
	out, errOut := mustRun(t, cliRun{}, args...)
	m := regexp.MustCompile(`seed (\d+) \(random`).FindStringSubmatch(errOut)
	if m == nil {
		t.Fatalf("random seed not printed: %q", errOut)
	}
	again, errAgain := mustRun(t, cliRun{}, append(args, "--seed", m[1])...)
	if again != out || strings.Contains(errAgain, "random") {
		t.Errorf("--seed %s does not repeat the run:\n%q\n%q", m[1], out, again)
	}
}

func TestCLIHelpAndVersion(t *testing.T) {
	for _, cmd := range [][]string{{}, {"generate"}, {"tokenize"}, {"inspect"}, {"synth"}, {"devices"}, {"bench"},
		{"version"}, {"eval"}, {"eval", "score"}, {"eval", "recall"}, {"eval", "sweep"}, {"eval", "longgenbench"},
		{"eval", "fidelity"}, {"eval", "probe"}} {
		for _, h := range []string{"-h", "--help"} {
			out, errOut, code := cliRun{}.run(t, append(cmd, h)...)
			if code != 0 || !strings.HasPrefix(out, "usage: scope") || errOut != "" {
				t.Errorf("scope %v %s: exit %d, stdout %.40q, stderr %q", cmd, h, code, out, errOut)
			}
		}
	}
	out, _ := mustRun(t, cliRun{}, "generate", "-h")
	for _, f := range []string{"-m, --model", "-p, --prompt", "-f, --file", "-n, --n-predict", "-c, --ctx-size",
		"-t, --threads", "-s, --seed", "-r, --stop, --reverse-prompt", "--ignore-eos", "--no-display-prompt", "--json"} {
		if !strings.Contains(out, f) {
			t.Errorf("generate -h lacks %q", f)
		}
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, _ := mustRun(t, cliRun{}, args...)
		if !regexp.MustCompile(`^scope \S+.*go1\.\d+`).MatchString(out) {
			t.Errorf("scope %v: %q", args, out)
		}
	}
}

func TestCLIInterrupt(t *testing.T) {
	// The reference backend filling the built-in model's 2048 positions takes seconds;
	// interrupt it as soon as text flows.
	cmd := exec.Command(scopeBin(t), "generate", "--backend", "ref", "-n", "-1", "--ignore-eos", "--temp", "0")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := stdout.Read(make([]byte, 64)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 130 || !strings.Contains(errOut.String(), "tok/s") || !strings.Contains(errOut.String(), "stop: interrupted") {
		t.Errorf("Ctrl-C: exit %d (want 130), stderr %q (want the timings)", code, errOut.String())
	}
}

func TestCLIHonestChoices(t *testing.T) {
	noVulkan := cliRun{env: []string{"VK_ICD_FILENAMES=" + filepath.Join(t.TempDir(), "no-icd.json")}}
	mustFail(t, noVulkan, "vulkan", "generate", "--backend", "vulkan", "-n", "4")
	if out, errOut := mustRun(t, noVulkan, "generate", "--backend", "auto", "-n", "4", "--temp", "0"); out == "" ||
		!strings.Contains(errOut, "cpu") {
		t.Errorf("--backend auto without Vulkan: stdout %q, stderr %q (want the CPU)", out, errOut)
	}

	text := filepath.Join(t.TempDir(), "notes.bin")
	os.WriteFile(text, []byte("These are notes, not a model; long enough for a header.\n"), 0o644)
	for _, cmd := range []string{"generate", "inspect", "tokenize"} {
		mustFail(t, cliRun{}, "not a GGUF or llama2.c file", cmd, "-m", text, "-z", text)
	}

	// A llama2.c checkpoint with a tokenizer.bin beside it still needs -z.
	dir := testdata.Path(t, "llama2c")
	tmp := t.TempDir()
	for src, dst := range map[string]string{"stories260K.bin": "model.bin", "tok512.bin": "tokenizer.bin"} {
		b, err := os.ReadFile(filepath.Join(dir, src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, dst), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ck := filepath.Join(tmp, "model.bin")
	for _, cmd := range []string{"generate", "inspect", "tokenize"} {
		mustFail(t, cliRun{}, "-z", cmd, "-m", ck)
	}
	if out, _ := mustRun(t, cliRun{}, append(greedy, "-p", "Once upon a time", "-m", ck, "-z", filepath.Join(tmp, "tokenizer.bin"))...); out != builtinStory+"\n" {
		t.Errorf(".bin with -z: %q", out)
	}
}
