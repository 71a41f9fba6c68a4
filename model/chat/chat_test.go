package chat

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
)

// Case is one line of the shared llama.cpp chat-template cases.
type Case struct {
	Name     string    `json:"name"`
	Template string    `json:"template"`
	BOS      string    `json:"bos_token"`
	EOS      string    `json:"eos_token"`
	Messages []Message `json:"messages"`
	AddGen   bool      `json:"add_generation_prompt"`
	Expected string    `json:"expected"`
}

func loadCases(t *testing.T) []Case {
	t.Helper()
	f, err := os.Open(testdata.Path(t, "chat", "llamacpp-chat-template.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []Case
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestLlamaCppCases renders the 29 templates of llama.cpp's chat-template test exactly.
func TestLlamaCppCases(t *testing.T) {
	cases := loadCases(t)
	if len(cases) != 29 {
		t.Fatalf("%d cases, want 29", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			tp, err := Parse(c.Name, c.Template)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tp.Render(c.Messages, Options{BOS: c.BOS, EOS: c.EOS, AddGenerationPrompt: c.AddGen})
			if err != nil {
				t.Fatal(err)
			}
			if got != c.Expected {
				t.Errorf("\n got %q\nwant %q", got, c.Expected)
			}
		})
	}
}

// TestSystemRoleProbe: templates that raise on or drop the system message get it merged.
func TestSystemRoleProbe(t *testing.T) {
	merged := map[string]bool{"google/gemma-7b-it": true, "OrionStarAI/Orion-14B-Chat": true,
		"Phi-3-mini": true, "Phi-3-medium": true,
		"mistralai/Mistral-7B-Instruct-v0.2 (NOTE: Old pre-v1 without a system prompt)": true}
	for _, c := range loadCases(t) {
		tp, err := Parse(c.Name, c.Template)
		if err != nil {
			t.Fatal(err)
		}
		if tp.SystemRole() == merged[c.Name] {
			t.Errorf("%s: SystemRole() = %v", c.Name, tp.SystemRole())
		}
	}
}

var conv = []Message{{"system", "Be brief."}, {"user", "Hello"}, {"assistant", "Hi there"}, {"user", "Who are you"}}

func TestBuiltins(t *testing.T) {
	want := map[string]string{
		"chatml":  "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\nHi there<|im_end|>\n<|im_start|>user\nWho are you<|im_end|>\n<|im_start|>assistant\n",
		"llama2":  "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHello [/INST] Hi there </s><s>[INST] Who are you [/INST]",
		"llama3":  "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
		"mistral": "[INST] Be brief.\nHello [/INST]Hi there</s>[INST] Who are you [/INST]",
		"gemma":   "<start_of_turn>user\nBe brief.\nHello<end_of_turn>\n<start_of_turn>model\nHi there<end_of_turn>\n<start_of_turn>user\nWho are you<end_of_turn>\n<start_of_turn>model\n",
		"phi3":    "<|system|>\nBe brief.<|end|>\n<|user|>\nHello<|end|>\n<|assistant|>\nHi there<|end|>\n<|user|>\nWho are you<|end|>\n<|assistant|>\n",
	}
	if len(BuiltinNames()) != len(want) {
		t.Fatalf("built-ins %v, want %d", BuiltinNames(), len(want))
	}
	for name, w := range want {
		tp, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tp.Render(conv, Options{BOS: "<s>", EOS: "</s>", AddGenerationPrompt: true})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got != w {
			t.Errorf("%s:\n got %q\nwant %q", name, got, w)
		}
	}
}

// TestBuiltinsMatchCases: a built-in renders the shared case of its family exactly.
func TestBuiltinsMatchCases(t *testing.T) {
	family := map[string]string{"teknium/OpenHermes-2.5-Mistral-7B": "chatml", "Llama-3": "llama3",
		"google/gemma-7b-it": "gemma", "Phi-3-small": "phi3",
		"mistralai/Mistral-7B-Instruct-v0.2 (NOTE: Old pre-v1 without a system prompt)": "mistral"}
	n := 0
	for _, c := range loadCases(t) {
		name, ok := family[c.Name]
		if !ok {
			continue
		}
		n++
		tp, _ := Builtin(name)
		got, err := tp.Render(c.Messages, Options{BOS: c.BOS, EOS: c.EOS, AddGenerationPrompt: true})
		if err != nil || got != c.Expected {
			t.Errorf("%s as %s: %v\n got %q\nwant %q", c.Name, name, err, got, c.Expected)
		}
	}
	if n != len(family) {
		t.Errorf("matched %d cases, want %d", n, len(family))
	}
}

func TestErrors(t *testing.T) {
	for _, src := range []string{"", "{% if %}", "{{ 'a' + }}", "{% for m in messages %}"} {
		if _, err := Parse("bad", src); !errors.Is(err, ErrTemplate) {
			t.Errorf("Parse(%q) = %v, want ErrTemplate", src, err)
		}
	}
	tp, err := Parse("raises", "{{ raise_exception('no way') }}")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tp.Render(conv, Options{})
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrTemplate) || e.Op != "render" || !strings.Contains(err.Error(), "no way") {
		t.Errorf("render error %v", err)
	}
	if _, err := Load("no-such-template"); !errors.Is(err, ErrTemplate) || !strings.Contains(err.Error(), "chatml") {
		t.Errorf("Load unknown = %v", err)
	}
	path := t.TempDir() + "/t.jinja"
	if err := os.WriteFile(path, []byte("{{ messages[0]['content'] }}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if tp, err := Load(path); err != nil || tp.Name != path {
		t.Errorf("Load file: %v", err)
	}
}

func TestHuggingFaceFeatures(t *testing.T) {
	for src, want := range map[string]string{
		"{% for m in messages %}{% if loop.index0 == 1 %}{% continue %}{% endif %}{{ m.role }};{% endfor %}": "user;user;",
		"{% for m in messages %}{% if loop.index0 == 2 %}{% break %}{% endif %}{{ m.role }};{% endfor %}":    "user;assistant;",
		"{{ messages[0] | tojson }}":           `{"content": "Hello", "role": "user"}`,
		"  {% if true %}\nx\n  {% endif %}\ny": "x\ny",
		"{{ strftime_now('%Y') | length }}":    "4",
	} {
		tp, err := Parse("t", src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tp.Render(conv[1:], Options{})
		if err != nil || got != want {
			t.Errorf("%q: got %q (%v), want %q", src, got, err, want)
		}
	}
}
