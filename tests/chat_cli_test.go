package tests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model"
)

// TestCLITemplateCases renders the 29 shared llama.cpp chat-template cases from the
// command line, byte for byte.
func TestCLITemplateCases(t *testing.T) {
	f, err := os.Open(testdata.Path(t, "chat", "llamacpp-chat-template.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir := t.TempDir()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var c struct {
			Name     string          `json:"name"`
			Template string          `json:"template"`
			BOS      string          `json:"bos_token"`
			EOS      string          `json:"eos_token"`
			Messages json.RawMessage `json:"messages"`
			Expected string          `json:"expected"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		n++
		tmpl, msgs := filepath.Join(dir, "t.jinja"), filepath.Join(dir, "m.json")
		if err := os.WriteFile(tmpl, []byte(c.Template), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(msgs, c.Messages, 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runScope(t, "template", "--chat-template", tmpl, "--messages", msgs, "--bos", c.BOS, "--eos", c.EOS)
		if code != 0 || out != c.Expected {
			t.Errorf("%s: exit %d %s\n got %q\nwant %q", c.Name, code, errOut, out, c.Expected)
		}
	}
	if n != 29 {
		t.Errorf("%d cases, want 29", n)
	}
}

func TestCLITemplateErrors(t *testing.T) {
	dir := t.TempDir()
	msgs := filepath.Join(dir, "m.json")
	os.WriteFile(msgs, []byte(`[{"role": "user", "content": "hi"}]`), 0o644)
	bad := filepath.Join(dir, "bad.jinja")
	os.WriteFile(bad, []byte(`{{ raise_exception('roles must alternate') }}`), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--chat-template", bad, "--messages", msgs}, "chat template " + bad + ": render: roles must alternate"},
		{[]string{"--chat-template", "nope", "--messages", msgs}, "neither a file nor a built-in"},
		{[]string{"--chat-template", "chatml"}, "no messages"},
	} {
		_, errOut, code := runScope(t, append([]string{"template"}, tc.args...)...)
		if code != 1 || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q, want one line with %q", tc.args, code, errOut, tc.want)
		}
	}
	out, _, code := runScope(t, "template", "--chat-template", "chatml", "--messages", msgs, "--no-generation-prompt")
	if code != 0 || out != "<|im_start|>user\nhi<|im_end|>\n" {
		t.Errorf("--no-generation-prompt: exit %d, %q", code, out)
	}
}

var turnLine = regexp.MustCompile(`turn (\d+): evaluated (\d+) new tokens, generated (\d+) .*holds (\d+) of`)

// chatTurns pipes three turns into scope chat and checks that each turn evaluated only its
// new text: the session grows by exactly the turn's new tokens and its answer, and a turn
// after the first evaluates just the chatml text that follows the previous answer.
func chatTurns(t *testing.T, command []string, modelPath string, args ...string) {
	t.Helper()
	users := []string{"Hello there", "How are you?", "Tell me a story"}
	cmd := exec.Command(scopeBin(t), append(append(command, "-m", modelPath, "-n", "12", "--temp", "0"), args...)...)
	cmd.Stdin = strings.NewReader(strings.Join(users, "\n") + "\n")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, e.String())
	}
	m, err := model.OpenVocab(modelPath, model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	turns := turnLine.FindAllStringSubmatch(e.String(), -1)
	if len(turns) != 3 {
		t.Fatalf("%d turns reported, want 3:\n%s", len(turns), e.String())
	}
	held := 0
	for i, tr := range turns {
		evaluated, _ := strconv.Atoi(tr[2])
		generated, _ := strconv.Atoi(tr[3])
		holds, _ := strconv.Atoi(tr[4])
		if holds != held+evaluated+generated {
			t.Errorf("turn %d: session holds %d, want %d held + %d new + %d generated", i+1, holds, held, evaluated, generated)
		}
		if i > 0 {
			feed := "<|im_end|>\n<|im_start|>user\n" + users[i] + "<|im_end|>\n<|im_start|>assistant\n"
			if want := len(m.Tokenizer.Encode(feed, false, true)); evaluated != want {
				t.Errorf("turn %d evaluated %d tokens, want the %d of its new text", i+1, evaluated, want)
			}
		}
		held = holds
	}
	if strings.Count(o.String(), "\n") < 3 {
		t.Errorf("stdout %q: want three answers", o.String())
	}
}

// TestCLIChatSynthTemplate: a model carrying its own template holds a three-turn chat.
func TestCLIChatSynthTemplate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.gguf")
	if _, errOut, code := runScope(t, "synth", "-o", path, "--chat-template", "chatml"); code != 0 {
		t.Fatal(errOut)
	}
	msgs := filepath.Join(t.TempDir(), "m.json")
	os.WriteFile(msgs, []byte(`[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]`), 0o644)
	out, errOut, code := runScope(t, "template", "-m", path, "--messages", msgs)
	if want := "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"; code != 0 || out != want {
		t.Errorf("template -m: exit %d %s\n got %q\nwant %q", code, errOut, out, want)
	}
	chatTurns(t, []string{"chat"}, path, "-sys", "Be brief.")
	// generate -cnv is the same conversation; a KV policy keeps it too
	chatTurns(t, []string{"generate", "-cnv"}, path, "--system-prompt", "Be brief.", "--kv-decode", "slide")
}

// TestCLIChatStories: stories260K has no template; --chat-template chatml gives it one.
func TestCLIChatStories(t *testing.T) {
	path := testdata.Path(t, "gguf", "stories260K.gguf")
	chatTurns(t, []string{"chat"}, path, "--chat-template", "chatml")
	_, errOut, code := runScope(t, "chat", "-m", path)
	if code != 1 || !strings.Contains(errOut, "no chat template") {
		t.Errorf("no template: exit %d, %q", code, errOut)
	}
}

// TestCLIChatInterrupt: Ctrl-C during an answer stops that answer only; the next turn goes
// on after it, and two Ctrl-C at the prompt quit.
func TestCLIChatInterrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.gguf")
	if _, errOut, code := runScope(t, "synth", "-o", path, "--chat-template", "chatml"); code != 0 {
		t.Fatal(errOut)
	}
	cmd := exec.Command(scopeBin(t), "chat", "-m", path, "-n", "0", "--temp", "0")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var e syncBuffer
	cmd.Stderr = &e
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	io.WriteString(in, "Tell me everything\n")
	if _, err := out.Read(make([]byte, 1)); err != nil { // the answer has started
		t.Fatal(err)
	}
	cmd.Process.Signal(os.Interrupt)
	go io.Copy(io.Discard, out)
	waitFor(t, &e, "stop: stopped")
	io.WriteString(in, "/clear\n")
	waitFor(t, &e, "conversation cleared")
	cmd.Process.Signal(os.Interrupt)
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %s", err, e.String())
	}
	if m := turnLine.FindStringSubmatch(e.String()); m == nil || m[4] == "1024" {
		t.Errorf("the stopped answer ran to the end of the context: %s", e.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitFor(t *testing.T, b *syncBuffer, text string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(b.String(), text) {
			return
		}
	}
	t.Fatalf("no %q in %q", text, b.String())
}
