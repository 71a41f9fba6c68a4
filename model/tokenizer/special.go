package tokenizer

import (
	"slices"
	"strings"
)

// Token texts llama.cpp (src/llama-vocab.cpp, load) recognises when the metadata does not say.
var (
	eotTexts = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
		"<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"}
	fimTexts = []string{"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
		"<|code_prefix|>", "<|prefix|>", "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>",
		"<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>", "<|fim_middle|>", "<fim-middle>", "<fim_middle>",
		"<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"}
	// FIM padding, repository and file-separator tokens also end generation.
	fimEOGTexts = []string{"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]",
		"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>"}
	eogTexts = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>",
		"<|calls|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]",
		"[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
		"<｜end▁of▁sentence｜>", "[e~["}
	alwaysRendered = []string{"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"}
)

// fixAttributes applies llama.cpp's load-time corrections: tokens that look like end-of-turn
// or fill-in-the-middle tokens become control tokens, and the end-of-generation set is built.
func (t *Tokenizer) fixAttributes() {
	control := func(s string) int32 {
		id, ok := t.ids[s]
		if ok {
			t.attrs[id] |= attrControl
			return id
		}
		return -1
	}
	eot := t.v.EOT
	t.eog = map[int32]bool{}
	for _, s := range eotTexts {
		if id := control(s); id >= 0 && eot < 0 {
			eot = id
		}
	}
	control("<|eom_id|>")
	for _, s := range fimTexts {
		control(s)
	}
	for _, s := range fimEOGTexts {
		if id := control(s); id >= 0 {
			t.eog[id] = true
		}
	}
	for _, s := range eogTexts {
		if id := control(s); id >= 0 {
			t.eog[id] = true
		}
	}
	for _, s := range alwaysRendered {
		if id, ok := t.ids[s]; ok {
			t.attrs[id] = attrUserDefined
		}
	}
	for _, id := range []int32{t.v.EOS, eot} {
		if id >= 0 {
			t.eog[id] = true
		}
	}
	t.pruneEOG()
}

// pruneEOG drops "<|end|>" where the vocabulary ends turns with <|return|>/<|call|> (or
// <|calls|>/<|flush|>), and "</s>" where it has "<|tool_response>", as llama.cpp does.
func (t *Tokenizer) pruneEOG() {
	has := func(s string) bool { id, ok := t.ids[s]; return ok && t.eog[id] }
	if end, ok := t.ids["<|end|>"]; ok && t.eog[end] {
		if (has("<|return|>") && (has("<|call|>") || has("<|calls|>"))) ||
			((has("<|call|>") || has("<|calls|>")) && has("<|flush|>")) {
			delete(t.eog, end)
			t.attrs[end] = attrUserDefined
		}
	}
	if s, ok := t.ids["</s>"]; ok && t.eog[s] && has("<|tool_response>") {
		delete(t.eog, s)
		t.attrs[s] = attrNormal
	}
}

// buildSpecialCache lists the tokens that the partition step looks for in raw text, longest
// first (ties by id), then applies llama.cpp's Phi-3 quirk: white space after those tokens is
// dropped.
func (t *Tokenizer) buildSpecialCache() {
	for id, a := range t.attrs {
		if a&(attrControl|attrUserDefined|attrUnknown) != 0 {
			t.special = append(t.special, int32(id))
		}
	}
	slices.SortStableFunc(t.special, func(a, b int32) int { return len(t.texts[b]) - len(t.texts[a]) })
	name := t.v.modelName
	if !strings.Contains(name, "phi-3") && !strings.Contains(name, "phi3") {
		return
	}
	for _, id := range t.special {
		t.attrs[id] |= attrRStrip
	}
	if id, ok := t.ids["</s>"]; ok {
		t.attrs[id] |= attrRStrip
	}
	for _, s := range []string{"<unk>", "<s>", "<|endoftext|>"} {
		if id, ok := t.ids[s]; ok {
			t.attrs[id] &^= attrRStrip
		}
	}
}
