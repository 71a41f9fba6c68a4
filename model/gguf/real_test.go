package gguf

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model/quant"
)

func openTest(t *testing.T, elem ...string) *File {
	t.Helper()
	f, err := Open(testdata.Path(t, elem...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestStories260K(t *testing.T) {
	f := openTest(t, "gguf", "stories260K.gguf")
	if f.Version != 3 || len(f.KVs) != 19 || len(f.Tensors) != 48 || f.DataOffset != 14176 || f.Alignment != 32 {
		t.Fatalf("version %d, %d keys, %d tensors, data at %d, alignment %d; want 3, 19, 48, 14176, 32",
			f.Version, len(f.KVs), len(f.Tensors), f.DataOffset, f.Alignment)
	}
	if s, _ := f.String("general.architecture"); s != "llama" {
		t.Errorf("architecture %q", s)
	}
	for key, want := range map[string]uint64{
		"llama.context_length": 2048, "llama.embedding_length": 64, "llama.feed_forward_length": 172,
		"llama.attention.head_count": 8, "llama.attention.head_count_kv": 4, "llama.block_count": 5,
		"llama.rope.dimension_count": 8, "tokenizer.ggml.bos_token_id": 1, "tokenizer.ggml.eos_token_id": 2,
		"tokenizer.ggml.unknown_token_id": 0, "tokenizer.ggml.seperator_token_id": 4294967295,
		"tokenizer.ggml.padding_token_id": 4294967295,
	} {
		if got, ok := f.Uint(key); !ok || got != want {
			t.Errorf("%s = %d, %v; want %d", key, got, ok, want)
		}
	}
	eps, _ := f.Get("llama.attention.layer_norm_rms_epsilon")
	if eps.Type != Float32 || eps.Any() != float32(1e-5) {
		t.Errorf("rms epsilon %v (%s), want float32 1e-5", eps.Any(), eps.Type)
	}
	for _, key := range []string{"add_bos_token", "tokenizer.ggml.add_bos_token", "llama.rope.freq_base"} {
		if _, ok := f.Get(key); ok {
			t.Errorf("unexpected key %s", key)
		}
	}
	checkStoriesVocab(t, f)
	checkStoriesTensors(t, f)
}

func checkStoriesVocab(t *testing.T, f *File) {
	if s, _ := f.String("tokenizer.ggml.model"); s != "llama" {
		t.Errorf("tokenizer model %q", s)
	}
	tokens, _ := f.Strings("tokenizer.ggml.tokens")
	scores, _ := f.Float32s("tokenizer.ggml.scores")
	types, _ := f.Int32s("tokenizer.ggml.token_type")
	if len(tokens) != 512 || len(scores) != 512 || len(types) != 512 {
		t.Fatalf("vocab lengths %d %d %d, want 512", len(tokens), len(scores), len(types))
	}
	if tokens[0] != "<unk>" || tokens[3] != "<0x00>" || tokens[259] != "\u2581t" || tokens[260] != "he" {
		t.Errorf("tokens 0,3,259,260 = %q %q %q %q", tokens[0], tokens[3], tokens[259], tokens[260])
	}
	if scores[259] != 0 || scores[260] != -1 || scores[511] != -252 {
		t.Errorf("scores 259,260,511 = %v %v %v", scores[259], scores[260], scores[511])
	}
	if types[0] != 2 || types[1] != 3 || types[3] != 6 || types[259] != 1 {
		t.Errorf("token types 0,1,3,259 = %v %v %v %v", types[0], types[1], types[3], types[259])
	}
}

func checkStoriesTensors(t *testing.T, f *File) {
	want := map[string][]int64{"token_embd.weight": {64, 512}, "output_norm.weight": {64}, "output.weight": {64, 512}}
	for i := range 5 {
		p := "blk." + string(rune('0'+i)) + "."
		for name, dims := range map[string][]int64{"attn_q": {64, 64}, "attn_k": {64, 32}, "attn_v": {64, 32},
			"attn_output": {64, 64}, "attn_norm": {64}, "ffn_gate": {64, 172}, "ffn_down": {172, 64},
			"ffn_up": {64, 172}, "ffn_norm": {64}} {
			want[p+name+".weight"] = dims
		}
	}
	end := int64(0)
	for name, dims := range want {
		ti, ok := f.Tensor(name)
		if !ok {
			t.Errorf("missing tensor %s", name)
			continue
		}
		if !slices.Equal(ti.Dims, dims) || ti.Type != quant.F32 || ti.Size != 4*ti.NumElements() {
			t.Errorf("%s: dims %v type %s size %d; want %v F32", name, ti.Dims, ti.Type, ti.Size, dims)
		}
		if got := len(f.TensorData(ti)); int64(got) != ti.Size {
			t.Errorf("%s: TensorData has %d bytes, want %d", name, got, ti.Size)
		}
		end = max(end, f.DataOffset+ti.Offset+ti.Size)
	}
	if end != 1185376 {
		t.Errorf("tensors end at %d, want the file size 1185376", end)
	}
	emb, _ := f.Tensor("token_embd.weight")
	out, _ := f.Tensor("output.weight")
	if !bytes.Equal(f.TensorData(emb), f.TensorData(out)) {
		t.Error("output.weight differs from token_embd.weight")
	}
}

func TestTinyRandom(t *testing.T) {
	f := openTest(t, "gguf", "llama-2-tiny-random.gguf")
	if len(f.KVs) != 18 || len(f.Tensors) != 12 {
		t.Fatalf("%d keys, %d tensors; want 18, 12", len(f.KVs), len(f.Tensors))
	}
	if ft, _ := f.Uint("general.file_type"); ft != 1 {
		t.Errorf("file_type %d", ft)
	}
	for name, typ := range map[string]quant.Type{"token_embd.weight": quant.F16, "output.weight": quant.F16,
		"blk.0.attn_q.weight": quant.F16, "blk.0.ffn_down.weight": quant.F16, "blk.0.attn_norm.weight": quant.F32,
		"output_norm.weight": quant.F32} {
		ti, ok := f.Tensor(name)
		if !ok || ti.Type != typ {
			t.Errorf("%s: %v %v, want %s", name, ok, ti, typ)
		}
	}
	if ti, _ := f.Tensor("token_embd.weight"); !slices.Equal(ti.Dims, []int64{8, 32000}) || ti.Size != 8*32000*2 {
		t.Errorf("token_embd %v size %d", ti.Dims, ti.Size)
	}
	vocab := openTest(t, "tokenizer", "ggml-vocab-llama-spm.gguf")
	a, _ := f.Strings("tokenizer.ggml.tokens")
	b, _ := vocab.Strings("tokenizer.ggml.tokens")
	if len(a) != 32000 || !slices.Equal(a, b) {
		t.Errorf("tokens (%d) differ from ggml-vocab-llama-spm (%d)", len(a), len(b))
	}
}

func TestTokenizerFiles(t *testing.T) {
	want := map[string]int{"llama-spm": 32000, "phi-3": 32064, "gpt-2": 50257, "deepseek-coder": 32256,
		"deepseek-llm": 102400, "falcon": 65024, "mpt": 50432, "starcoder": 49152, "refact": 49216, "bert-bge": 30522,
		"llama-bpe": 128256, "qwen2": 151936}
	paths, _ := filepath.Glob(filepath.Join(testdata.Dir(t), "tokenizer", "*.gguf"))
	if len(paths) != len(want) {
		t.Errorf("found %d vocabulary files, want %d", len(paths), len(want))
	}
	for _, p := range paths {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "ggml-vocab-"), ".gguf")
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		tokens, _ := f.Strings("tokenizer.ggml.tokens")
		types, ok := f.Int32s("tokenizer.ggml.token_type")
		if len(f.Tensors) != 0 || len(tokens) != want[name] || !ok || len(types) != len(tokens) {
			t.Errorf("%s: %d tensors, %d tokens, %d types; want 0, %d", name, len(f.Tensors), len(tokens), len(types), want[name])
		}
		if merges, _ := f.Strings("tokenizer.ggml.merges"); name == "gpt-2" && len(merges) != 50000 {
			t.Errorf("gpt-2: %d merges, want 50000", len(merges))
		}
	}
}

// TestRewriteRealFiles rebuilds real files with the Writer; llama.cpp's writers lay files out
// the same way, so the bytes must match exactly.
func TestRewriteRealFiles(t *testing.T) {
	for _, elem := range [][]string{{"gguf", "stories260K.gguf"}, {"gguf", "llama-2-tiny-random.gguf"},
		{"tokenizer", "ggml-vocab-llama-spm.gguf"}, {"tokenizer", "ggml-vocab-gpt-2.gguf"}} {
		orig, err := os.ReadFile(testdata.Path(t, elem...))
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(orig)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := copyToWriter(t, f).WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), orig) {
			t.Errorf("%s: rewritten file differs (%d bytes, original %d)", elem[1], buf.Len(), len(orig))
		}
	}
}

func TestCloseTwice(t *testing.T) {
	f, err := Open(testdata.Path(t, "gguf", "stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	ti, _ := f.Tensor("output_norm.weight")
	if f.TensorData(ti) == nil {
		t.Fatal("no data before Close")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if f.TensorData(ti) != nil {
		t.Error("TensorData after Close is not nil")
	}
	if s, _ := f.String("general.architecture"); s != "llama" {
		t.Errorf("metadata after Close: %q", s)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "missing.gguf")); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
	empty := filepath.Join(t.TempDir(), "empty.gguf")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(empty); !isFormat(err, 0) {
		t.Errorf("empty file: %v", err)
	}
}
