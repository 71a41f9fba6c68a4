package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/chat"
)

func runTemplate(args []string) error {
	fs := newFlags("template")
	tmplArg := fs.String("chat-template", "", "template file or built-in name ("+strings.Join(chat.BuiltinNames(), ", ")+")")
	path := fs.String("m", "", "model whose template (and BOS/EOS texts) to use")
	tokPath := fs.String("z", "", "llama2.c tokenizer for a .bin model")
	msgPath := fs.String("messages", "", "JSON file: an array of {\"role\", \"content\"} (or an object with \"messages\")")
	bos := fs.String("bos", "", "bos_token text (default: the model's BOS token text)")
	eos := fs.String("eos", "", "eos_token text (default: the model's EOS token text)")
	noGen := fs.Bool("no-generation-prompt", false, "do not end with the start of an assistant turn")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *msgPath == "" {
		return errors.New("no messages: pass --messages FILE.json")
	}
	msgs, err := readMessages(*msgPath)
	if err != nil {
		return err
	}
	opts := chat.Options{AddGenerationPrompt: !*noGen}
	var m *model.Model
	if *path != "" {
		if m, err = model.OpenVocab(*path, model.Options{TokenizerPath: *tokPath}); err != nil {
			return err
		}
		defer m.Close()
		opts.BOS, opts.EOS = m.BOSText(), m.EOSText()
	} else if *tmplArg == "" {
		return errors.New("no template: pass --chat-template FILE|NAME or -m MODEL")
	}
	setFlags := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { setFlags[f.Name] = true })
	if setFlags["bos"] {
		opts.BOS = *bos
	}
	if setFlags["eos"] {
		opts.EOS = *eos
	}
	t, err := chatTemplate(*tmplArg, m)
	if err != nil {
		return err
	}
	text, err := t.Render(msgs, opts)
	if err != nil {
		return err
	}
	_, err = os.Stdout.WriteString(text)
	return err
}

// chatTemplate resolves --chat-template, else the model's own template.
func chatTemplate(arg string, m *model.Model) (*chat.Template, error) {
	if arg != "" {
		return chat.Load(arg)
	}
	if m.ChatTemplate == "" {
		return nil, fmt.Errorf("the model has no chat template (%s); pass --chat-template FILE or one of: %s",
			model.ChatTemplateKey, strings.Join(chat.BuiltinNames(), ", "))
	}
	return chat.Parse("of the model", m.ChatTemplate)
}

func readMessages(path string) ([]chat.Message, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var msgs []chat.Message
	if err := json.Unmarshal(b, &msgs); err == nil {
		return msgs, nil
	}
	var obj struct {
		Messages []chat.Message `json:"messages"`
	}
	if err := json.Unmarshal(b, &obj); err != nil || obj.Messages == nil {
		return nil, fmt.Errorf("%s: want a JSON array of {\"role\", \"content\"} or an object with \"messages\"", path)
	}
	return obj.Messages, nil
}
