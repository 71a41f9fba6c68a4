package model

import "github.com/scopekv/scope/model/gguf"

// ChatTemplateKey is the GGUF metadata key of a model's chat template.
const ChatTemplateKey = "tokenizer.chat_template"

func chatTemplate(f *gguf.File) string {
	s, _ := f.String(ChatTemplateKey)
	return s
}

// BOSText and EOSText are the texts of the tokenizer's BOS and EOS tokens, as a chat
// template sees them in bos_token and eos_token ("" when the vocabulary has none).
func (m *Model) BOSText() string { return m.tokenText(m.Tokenizer.BOS()) }
func (m *Model) EOSText() string { return m.tokenText(m.Tokenizer.EOS()) }

func (m *Model) tokenText(id int32) string {
	if m.Tokenizer == nil {
		return ""
	}
	toks := m.Tokenizer.Vocab().Tokens
	if id < 0 || int(id) >= len(toks) {
		return ""
	}
	return toks[id]
}
