// Package llama2c reads the files of Karpathy's llama2.c: the legacy (version 0) float32
// checkpoint and the tokenizer export. Neither format has a magic number, so every header
// value and the exact file size are checked before anything is allocated; errors are *Error
// values carrying the byte offset of the problem.
package llama2c

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// ErrFormat is the sentinel every file-format error unwraps to.
var ErrFormat = errors.New("llama2c: invalid file")

// Error is a format error at a byte offset of the file.
type Error struct {
	Offset int64
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("llama2c: offset %d: %s", e.Offset, e.Msg) }

// Unwrap makes errors.Is(err, ErrFormat) true.
func (e *Error) Unwrap() error { return ErrFormat }

func errorf(off int64, format string, args ...any) error {
	return &Error{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// Config is the checkpoint header.
type Config struct {
	Dim, HiddenDim, NLayers, NHeads, NKVHeads, VocabSize, SeqLen int
	SharedClassifier                                             bool // header vocab_size > 0
}

// HeadDim is the size of one attention head.
func (c Config) HeadDim() int { return c.Dim / c.NHeads }

// KVDim is the width of the key and value projections.
func (c Config) KVDim() int { return c.NKVHeads * c.HeadDim() }

// Checkpoint holds the weights as float32 slices, row-major [out][in]. They are views of the
// data passed to ReadCheckpoint when it is 4-byte aligned (copies otherwise).
type Checkpoint struct {
	Config         Config
	TokenEmbedding []float32 // (vocab, dim)
	RMSAtt         []float32 // (nLayers, dim)
	Wq             []float32 // (nLayers, dim, dim)
	Wk             []float32 // (nLayers, kvDim, dim)
	Wv             []float32 // (nLayers, kvDim, dim)
	Wo             []float32 // (nLayers, dim, dim)
	RMSFFN         []float32 // (nLayers, dim)
	W1             []float32 // (nLayers, hiddenDim, dim)
	W2             []float32 // (nLayers, dim, hiddenDim)
	W3             []float32 // (nLayers, hiddenDim, dim)
	RMSFinal       []float32 // (dim)
	Wcls           []float32 // (vocab, dim); the same slice as TokenEmbedding when shared
}

const headerBytes = 7 * 4

// Limits far above any llama2.c model (Llama 2 70B has dim 8192, hidden 28672, 80 layers);
// they keep every size product well inside int64.
const (
	maxDim    = 1 << 16
	maxHidden = 1 << 18
	maxLayers = 1 << 10
	maxVocab  = 1 << 22
	maxSeqLen = 1 << 22
)

// OpenCheckpoint reads and parses the checkpoint at path.
func OpenCheckpoint(path string) (*Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ck, err := ReadCheckpoint(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ck, nil
}

// ReadCheckpoint parses a legacy checkpoint. The file ends with the RoPE freq_cis tables
// (which are ignored; a file without them is accepted too) and, when the header's vocab_size
// is negative, a separate classifier after them.
func ReadCheckpoint(data []byte) (*Checkpoint, error) {
	c, err := readConfig(data)
	if err != nil {
		return nil, err
	}
	l := layout(c)
	wclsAt, err := checkSize(c, l, int64(len(data)))
	if err != nil {
		return nil, err
	}
	end := wclsAt
	if !c.SharedClassifier {
		end += l.wcls
	}
	w := floats(data[headerBytes:headerBytes+4*end], end)
	ck := &Checkpoint{Config: c}
	take := func(n int64) []float32 {
		s := w[:n:n]
		w = w[n:]
		return s
	}
	ck.TokenEmbedding = take(l.embedding)
	ck.RMSAtt, ck.Wq, ck.Wk = take(l.norm), take(l.wq), take(l.wkv)
	ck.Wv, ck.Wo, ck.RMSFFN = take(l.wkv), take(l.wq), take(l.norm)
	ck.W1, ck.W2, ck.W3 = take(l.ffn), take(l.ffn), take(l.ffn)
	ck.RMSFinal = take(int64(c.Dim))
	ck.Wcls = ck.TokenEmbedding
	if !c.SharedClassifier {
		ck.Wcls = w[wclsAt-l.weights : wclsAt-l.weights+l.wcls : wclsAt-l.weights+l.wcls]
	}
	return ck, nil
}

func readConfig(data []byte) (Config, error) {
	if len(data) < headerBytes {
		return Config{}, errorf(int64(len(data)), "header needs %d bytes, file has %d", headerBytes, len(data))
	}
	var h [7]int64
	for i := range h {
		h[i] = int64(int32(binary.LittleEndian.Uint32(data[4*i:])))
	}
	c := Config{Dim: int(h[0]), HiddenDim: int(h[1]), NLayers: int(h[2]), NHeads: int(h[3]),
		NKVHeads: int(h[4]), VocabSize: int(h[5]), SeqLen: int(h[6]), SharedClassifier: h[5] > 0}
	if h[5] < 0 {
		c.VocabSize = int(-h[5])
	}
	names := [7]string{"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"}
	limits := [7]int{maxDim, maxHidden, maxLayers, maxDim, maxDim, maxVocab, maxSeqLen}
	values := [7]int{c.Dim, c.HiddenDim, c.NLayers, c.NHeads, c.NKVHeads, c.VocabSize, c.SeqLen}
	for i, v := range values {
		if v <= 0 || v > limits[i] {
			return Config{}, errorf(int64(4*i), "%s %d outside 1..%d", names[i], h[i], limits[i])
		}
	}
	switch {
	case c.Dim%c.NHeads != 0:
		return Config{}, errorf(12, "n_heads %d does not divide dim %d", c.NHeads, c.Dim)
	case c.HeadDim()%2 != 0:
		return Config{}, errorf(12, "head size %d is odd (RoPE rotates pairs)", c.HeadDim())
	case c.NHeads%c.NKVHeads != 0:
		return Config{}, errorf(16, "n_kv_heads %d does not divide n_heads %d", c.NKVHeads, c.NHeads)
	}
	return c, nil
}

// sizes of the weight arrays, in floats.
type sizes struct {
	embedding, norm, wq, wkv, ffn int64
	weights                       int64 // everything up to and including rms_final
	freqCis, wcls                 int64
}

func layout(c Config) sizes {
	dim, layers := int64(c.Dim), int64(c.NLayers)
	s := sizes{
		embedding: int64(c.VocabSize) * dim,
		norm:      layers * dim,
		wq:        layers * dim * dim,
		wkv:       layers * int64(c.KVDim()) * dim,
		ffn:       layers * int64(c.HiddenDim) * dim,
		freqCis:   int64(c.SeqLen) * int64(c.HeadDim()), // real and imaginary halves
		wcls:      int64(c.VocabSize) * dim,
	}
	s.weights = s.embedding + 2*s.norm + 2*s.wq + 2*s.wkv + 3*s.ffn + dim
	return s
}

// checkSize matches the file size against the layouts llama2.c writes and returns where the
// separate classifier starts (in floats after the header).
func checkSize(c Config, l sizes, n int64) (int64, error) {
	extra := int64(0)
	if !c.SharedClassifier {
		extra = l.wcls
	}
	withFreq := headerBytes + 4*(l.weights+l.freqCis+extra)
	without := headerBytes + 4*(l.weights+extra)
	switch {
	case n == withFreq:
		return l.weights + l.freqCis, nil
	case n == without:
		return l.weights, nil
	case n < without:
		return 0, errorf(n, "truncated: the weights need %d bytes, file has %d", without, n)
	case n < withFreq:
		return 0, errorf(without, "%d bytes after the weights, want 0 or the %d-byte freq_cis tables", n-without, withFreq-without)
	}
	return 0, errorf(withFreq, "%d trailing bytes after the weights", n-withFreq)
}
