package llama2c

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"unsafe"

	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model/gguf"
)

var tinyConfig = Config{Dim: 8, HiddenDim: 12, NLayers: 2, NHeads: 4, NKVHeads: 2, VocabSize: 10, SeqLen: 4}

// makeCheckpoint writes a checkpoint whose float number i (counted after the header) has the
// value i, so every array's first element tells where it was read from.
func makeCheckpoint(c Config, shared, freqCis bool) []byte {
	l := layout(c)
	n := l.weights
	if freqCis {
		n += l.freqCis
	}
	if !shared {
		n += l.wcls
	}
	vocab := int32(c.VocabSize)
	if !shared {
		vocab = -vocab
	}
	var out []byte
	for _, v := range []int32{int32(c.Dim), int32(c.HiddenDim), int32(c.NLayers), int32(c.NHeads),
		int32(c.NKVHeads), vocab, int32(c.SeqLen)} {
		out = binary.LittleEndian.AppendUint32(out, uint32(v))
	}
	for i := range n {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(float32(i)))
	}
	return out
}

func TestTinyLayouts(t *testing.T) {
	l := layout(tinyConfig)
	for _, shared := range []bool{true, false} {
		for _, freq := range []bool{true, false} {
			ck, err := ReadCheckpoint(makeCheckpoint(tinyConfig, shared, freq))
			if err != nil {
				t.Fatalf("shared=%v freq=%v: %v", shared, freq, err)
			}
			want := tinyConfig
			want.SharedClassifier = shared
			if ck.Config != want {
				t.Errorf("config %+v, want %+v", ck.Config, want)
			}
			checkArrays(t, ck, l, fmt.Sprintf("shared=%v freq=%v", shared, freq))
			wcls := float32(0)
			if !shared {
				wcls = float32(l.weights)
				if freq {
					wcls += float32(l.freqCis)
				}
			}
			if len(ck.Wcls) != 80 || ck.Wcls[0] != wcls || ck.Wcls[79] != wcls+79 {
				t.Errorf("shared=%v freq=%v: Wcls %d floats starting %v, want 80 from %v", shared, freq, len(ck.Wcls), ck.Wcls[0], wcls)
			}
		}
	}
}

// checkArrays checks each array's length and first value against the layout.
func checkArrays(t *testing.T, ck *Checkpoint, l sizes, what string) {
	t.Helper()
	arrays := []struct {
		name string
		s    []float32
		n    int64
	}{{"TokenEmbedding", ck.TokenEmbedding, l.embedding}, {"RMSAtt", ck.RMSAtt, l.norm}, {"Wq", ck.Wq, l.wq},
		{"Wk", ck.Wk, l.wkv}, {"Wv", ck.Wv, l.wkv}, {"Wo", ck.Wo, l.wq}, {"RMSFFN", ck.RMSFFN, l.norm},
		{"W1", ck.W1, l.ffn}, {"W2", ck.W2, l.ffn}, {"W3", ck.W3, l.ffn}, {"RMSFinal", ck.RMSFinal, int64(ck.Config.Dim)}}
	start := int64(0)
	for _, a := range arrays {
		if int64(len(a.s)) != a.n || int64(cap(a.s)) != a.n || a.s[0] != float32(start) {
			t.Errorf("%s: %s has %d floats (cap %d) from %v, want %d from %d", what, a.name, len(a.s), cap(a.s), a.s[0], a.n, start)
		}
		start += a.n
	}
}

func TestUnalignedCopies(t *testing.T) {
	data := makeCheckpoint(tinyConfig, false, true)
	ck, err := ReadCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	if p := uintptr(unsafe.Pointer(&ck.Wq[0])); hostLittleEndian && (p < uintptr(unsafe.Pointer(&data[0])) || p >= uintptr(unsafe.Pointer(&data[len(data)-1]))) {
		t.Error("aligned data was copied, want a view")
	}
	shifted := make([]byte, len(data)+1)
	copy(shifted[1:], data)
	ck2, err := ReadCheckpoint(shifted[1:])
	if err != nil {
		t.Fatal(err)
	}
	checkArrays(t, ck2, layout(tinyConfig), "unaligned")
	if ck2.Wcls[5] != ck.Wcls[5] || ck2.W3[7] != ck.W3[7] {
		t.Error("unaligned copy differs from the view")
	}
}

func TestCheckpointErrors(t *testing.T) {
	good := makeCheckpoint(tinyConfig, true, true)
	header := func(field int, v int32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[4*field:], uint32(v))
		return b
	}
	l := layout(tinyConfig)
	weightsEnd := int64(headerBytes + 4*l.weights)
	cases := []struct {
		name   string
		data   []byte
		offset int64
		msg    string
	}{
		{"empty", nil, 0, "header"},
		{"short header", good[:27], 27, "header"},
		{"zero dim", header(0, 0), 0, "dim 0"},
		{"negative hidden", header(1, -5), 4, "hidden_dim -5"},
		{"huge layers", header(2, 1<<20), 8, "n_layers"},
		{"zero heads", header(3, 0), 12, "n_heads 0"},
		{"zero kv heads", header(4, 0), 16, "n_kv_heads 0"},
		{"zero vocab", header(5, 0), 20, "vocab_size 0"},
		{"min int vocab", header(5, math.MinInt32), 20, "vocab_size"},
		{"huge seq", header(6, math.MaxInt32), 24, "seq_len"},
		{"heads do not divide dim", header(3, 3), 12, "does not divide dim"},
		{"odd head size", header(3, 8), 12, "odd"},
		{"kv heads do not divide heads", header(4, 3), 16, "does not divide n_heads"},
		{"truncated", good[:weightsEnd-4], weightsEnd - 4, "truncated"},
		{"partial freq_cis", good[:weightsEnd+12], weightsEnd, "freq_cis"},
		{"trailing bytes", append(bytes.Clone(good), 0, 0, 0, 0), int64(len(good)), "trailing"},
		{"missing wcls", header(5, -10), int64(len(good)), "truncated"},
	}
	for _, c := range cases {
		_, err := ReadCheckpoint(c.data)
		var e *Error
		switch {
		case err == nil:
			t.Errorf("%s: accepted", c.name)
		case !errors.Is(err, ErrFormat) || !errors.As(err, &e):
			t.Errorf("%s: %v is not a llama2c *Error", c.name, err)
		case e.Offset != c.offset || !strings.Contains(e.Msg, c.msg):
			t.Errorf("%s: %v; want offset %d and %q", c.name, err, c.offset, c.msg)
		}
	}
}

func TestStories260K(t *testing.T) {
	ck, err := OpenCheckpoint(testdata.Path(t, "llama2c", "stories260K.bin"))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Dim: 64, HiddenDim: 172, NLayers: 5, NHeads: 8, NKVHeads: 4, VocabSize: 512, SeqLen: 512, SharedClassifier: true}
	if ck.Config != want || ck.Config.KVDim() != 32 || ck.Config.HeadDim() != 8 {
		t.Fatalf("config %+v, want %+v", ck.Config, want)
	}
	if &ck.Wcls[0] != &ck.TokenEmbedding[0] || len(ck.Wcls) != 512*64 {
		t.Error("shared classifier is not the embedding")
	}
	f, err := gguf.Open(testdata.Path(t, "gguf", "stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := ck.Config
	same := func(name string, all []float32, layer, n int) {
		ti, ok := f.Tensor(name)
		if !ok {
			t.Errorf("GGUF has no %s", name)
			return
		}
		if got := f.TensorData(ti); !bytes.Equal(got, leBytes(all[layer*n:(layer+1)*n])) {
			t.Errorf("%s differs from the llama2.c array", name)
		}
	}
	same("token_embd.weight", ck.TokenEmbedding, 0, c.VocabSize*c.Dim)
	same("output.weight", ck.Wcls, 0, c.VocabSize*c.Dim)
	same("output_norm.weight", ck.RMSFinal, 0, c.Dim)
	kv, hd := c.KVDim()*c.Dim, c.HiddenDim*c.Dim
	for i := range c.NLayers {
		p := fmt.Sprintf("blk.%d.", i)
		same(p+"attn_norm.weight", ck.RMSAtt, i, c.Dim)
		same(p+"attn_q.weight", ck.Wq, i, c.Dim*c.Dim)
		same(p+"attn_k.weight", ck.Wk, i, kv)
		same(p+"attn_v.weight", ck.Wv, i, kv)
		same(p+"attn_output.weight", ck.Wo, i, c.Dim*c.Dim)
		same(p+"ffn_norm.weight", ck.RMSFFN, i, c.Dim)
		same(p+"ffn_gate.weight", ck.W1, i, hd)
		same(p+"ffn_down.weight", ck.W2, i, hd)
		same(p+"ffn_up.weight", ck.W3, i, hd)
	}
}

func leBytes(s []float32) []byte {
	out := make([]byte, 0, 4*len(s))
	for _, x := range s {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(x))
	}
	return out
}
