package chat

import (
	"strings"

	"github.com/ardanlabs/jinja"
)

// Template is a parsed chat template. It is safe for concurrent use.
type Template struct {
	Name   string
	Source string
	tmpl   *jinja.Template
	// systemRole: the template renders a system message; when false, Render merges the
	// system message into the first user message (llama.cpp's rule).
	systemRole bool
}

// Parse compiles a template's Jinja source. name is used in error messages.
func Parse(name, source string) (*Template, error) {
	if strings.TrimSpace(source) == "" {
		return nil, &Error{Name: name, Op: "parse", Err: errEmpty}
	}
	t, err := jinja.Compile(source)
	if err != nil {
		return nil, &Error{Name: name, Op: "parse", Err: err}
	}
	tp := &Template{Name: name, Source: source, tmpl: t}
	tp.systemRole = tp.rendersSystem()
	return tp, nil
}

var errEmpty = stringError("empty template")

type stringError string

func (e stringError) Error() string { return string(e) }

// rendersSystem probes whether the template shows a system message's content: templates
// without a system role either raise on it or leave it out.
func (t *Template) rendersSystem() bool {
	const needle = "<scope system probe>"
	out, err := t.execute([]Message{{Role: "system", Content: needle}, {Role: "user", Content: "hi"}},
		Options{AddGenerationPrompt: false})
	return err == nil && strings.Contains(out, needle)
}

// SystemRole reports whether the template renders system messages itself.
func (t *Template) SystemRole() bool { return t.systemRole }

// Render returns the prompt text for msgs. A system message is merged into the first user
// message when the template has no system role; a leading BOS text and a trailing EOS text
// are removed, because the tokenizer adds those tokens itself.
func (t *Template) Render(msgs []Message, o Options) (string, error) {
	if !t.systemRole {
		msgs = mergeSystem(msgs)
	}
	out, err := t.execute(msgs, o)
	if err != nil {
		return "", &Error{Name: t.Name, Op: "render", Err: err}
	}
	if o.BOS != "" {
		out = strings.TrimPrefix(out, o.BOS)
	}
	if o.EOS != "" {
		out = strings.TrimSuffix(out, o.EOS)
	}
	return out, nil
}

func (t *Template) execute(msgs []Message, o Options) (string, error) {
	list := make([]any, len(msgs))
	for i, m := range msgs {
		list[i] = map[string]any{"role": m.Role, "content": m.Content}
	}
	return t.tmpl.Render(map[string]any{
		"messages":              list,
		"bos_token":             o.BOS,
		"eos_token":             o.EOS,
		"add_generation_prompt": o.AddGenerationPrompt,
	})
}

// mergeSystem prepends each system message's content to the next user message, separated
// by a newline, and drops the system messages.
func mergeSystem(msgs []Message) []Message {
	out := make([]Message, 0, len(msgs))
	pending := ""
	for _, m := range msgs {
		switch {
		case m.Role == "system":
			pending = joinNonEmpty(pending, m.Content)
		case m.Role == "user" && pending != "":
			out = append(out, Message{Role: m.Role, Content: joinNonEmpty(pending, m.Content)})
			pending = ""
		default:
			out = append(out, m)
		}
	}
	if pending != "" {
		out = append(out, Message{Role: "user", Content: pending})
	}
	return out
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}
