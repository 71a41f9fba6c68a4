package chat

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// builtins are templates for GGUF files that carry none, written in the style of the
// Hugging Face templates of each family. Those without a system role raise on it, so Render
// merges the system message into the first user message.
var builtins = map[string]string{
	"chatml": `{%- for message in messages -%}
{{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n' -}}{%- endif -%}`,

	"llama2": `{%- if messages and messages[0]['role'] == 'system' -%}
{%- set system = messages[0]['content'] -%}{%- set turns = messages[1:] -%}
{%- else -%}
{%- set system = '' -%}{%- set turns = messages -%}
{%- endif -%}
{%- for message in turns -%}
{%- if message['role'] == 'user' -%}
{%- set content = message['content'].strip() -%}
{%- if loop.first and system -%}{%- set content = '<<SYS>>\n' + system.strip() + '\n<</SYS>>\n\n' + content -%}{%- endif -%}
{{- bos_token + '[INST] ' + content + ' [/INST]' -}}
{%- elif message['role'] == 'assistant' -%}
{{- ' ' + message['content'].strip() + ' ' + eos_token -}}
{%- endif -%}
{%- endfor -%}`,

	"llama3": `{{- bos_token -}}
{%- for message in messages -%}
{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}{%- endif -%}`,

	"mistral": `{{- bos_token -}}
{%- for message in messages -%}
{%- if message['role'] == 'user' -%}{{- '[INST] ' + message['content'] + ' [/INST]' -}}
{%- elif message['role'] == 'assistant' -%}{{- message['content'] + eos_token -}}
{%- else -%}{{- raise_exception('mistral has only user and assistant roles') -}}
{%- endif -%}
{%- endfor -%}`,

	"gemma": `{{- bos_token -}}
{%- for message in messages -%}
{%- if message['role'] == 'system' -%}{{- raise_exception('gemma has no system role') -}}{%- endif -%}
{%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}
{{- '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<start_of_turn>model\n' -}}{%- endif -%}`,

	"phi3": `{{- bos_token -}}
{%- for message in messages -%}
{{- '<|' + message['role'] + '|>\n' + message['content'] + '<|end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|assistant|>\n' -}}{%- endif -%}`,
}

// BuiltinNames lists the built-in templates.
func BuiltinNames() []string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Builtin returns a built-in template by name.
func Builtin(name string) (*Template, error) {
	src, ok := builtins[name]
	if !ok {
		return nil, &Error{Name: name, Op: "parse", Err: fmt.Errorf("no built-in template %q (built-ins: %s)",
			name, strings.Join(BuiltinNames(), ", "))}
	}
	return Parse(name, src)
}

// Load resolves a --chat-template argument: a file holding a template, else the name of a
// built-in.
func Load(arg string) (*Template, error) {
	b, err := os.ReadFile(arg)
	if err == nil {
		return Parse(arg, string(b))
	}
	if _, ok := builtins[arg]; ok {
		return Builtin(arg)
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil, &Error{Name: arg, Op: "parse", Err: fmt.Errorf("neither a file nor a built-in template (%s)",
			strings.Join(BuiltinNames(), ", "))}
	}
	return nil, &Error{Name: arg, Op: "parse", Err: err}
}
