package tokenizer

import (
	"slices"
	"testing"
)

// TestUserDefinedTokens: USER_DEFINED tokens are found in plain text without special-token
// parsing and decode to their text, as in llama.cpp; control tokens need parseSpecial.
func TestUserDefinedTokens(t *testing.T) {
	qw := cachedVocab(t, "qwen2")
	think, call, imStart := qw.ids["<think>"], qw.ids["<tool_call>"], qw.ids["<|im_start|>"]
	if qw.v.Types[think] != TypeUserDefined || qw.v.Types[call] != TypeUserDefined || qw.v.Types[imStart] != TypeControl {
		t.Fatalf("qwen2 token types: %v %v %v", qw.v.Types[think], qw.v.Types[call], qw.v.Types[imStart])
	}
	text := "a<think>b</think><tool_call><|im_start|>"
	for _, parse := range []bool{false, true} {
		got := qw.Encode(text, false, parse)
		if !slices.Contains(got, think) || !slices.Contains(got, qw.ids["</think>"]) || !slices.Contains(got, call) {
			t.Errorf("qwen2 parseSpecial=%v: %q misses a user-defined token", parse, names(qw, got))
		}
		if slices.Contains(got, imStart) != parse {
			t.Errorf("qwen2 parseSpecial=%v: %q", parse, names(qw, got))
		}
		if parse {
			continue
		}
		if dec := qw.Decode(got); dec != text {
			t.Errorf("qwen2 Decode = %q, want %q", dec, text)
		}
	}

	// SPM: a user-defined token splits the text, and the text after it gets the dummy-prefix
	// space again, as after any token fragment in llama.cpp.
	tk, ids := spmVocab(t, map[string]float32{"▁a": -1, "b": -1, "▁b": -2}, "<tag>")
	got := tk.Encode("a<tag>b", false, false)
	if want := []int32{ids["▁a"], ids["<tag>"], ids["▁b"]}; !slices.Equal(got, want) {
		t.Errorf("SPM: %q, want %q", names(tk, got), names(tk, want))
	}
	if dec := tk.Decode(got); dec != "a<tag> b" {
		t.Errorf("SPM Decode = %q", dec)
	}
}

// TestPhi3EndTag: phi-3's "</s>" is USER_DEFINED in the file and not one of the
// end-of-generation spellings, so, as in llama.cpp, it is matched in plain text without
// special-token parsing, swallowing the white space after it (phi-3's rstrip quirk) before
// the dummy prefix, and it does not end generation (phi-3 ends with <|endoftext|>/<|end|>).
func TestPhi3EndTag(t *testing.T) {
	tk := cachedVocab(t, "phi-3")
	end := tk.ids["</s>"]
	if end != 2 || tk.v.Types[end] != TypeUserDefined {
		t.Fatalf("phi-3 </s>: id %d type %v", end, tk.v.Types[end])
	}
	if tk.IsEOG(end) {
		t.Error("phi-3 </s> ends generation; only its EOS and end-of-turn tokens should")
	}
	want := []int32{tk.ids["▁a"], end, tk.ids["▁b"]}
	for _, special := range []bool{false, true} {
		if got := tk.Encode("a</s>  b", false, special); !slices.Equal(got, want) {
			t.Errorf("parseSpecial=%v: %q, want %q", special, names(tk, got), names(tk, want))
		}
	}
}
