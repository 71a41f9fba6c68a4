package llama2c

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
)

// Vocab is a llama2.c tokenizer export: token bytes as written (spaces are 0x20, BOS and EOS
// are "\n<s>\n" and "\n</s>\n") and their SentencePiece scores, indexed by token id.
type Vocab struct {
	MaxTokenLength int
	Tokens         [][]byte  // all tokens share one backing array; do not append to them
	Scores         []float32 // (vocabSize)
}

// OpenTokenizer reads and parses the tokenizer file at path.
func OpenTokenizer(path string, vocabSize int) (*Vocab, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v, err := ReadTokenizer(data, vocabSize)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// ReadTokenizer parses a tokenizer file: int32 max_token_length, then for each of the
// vocabSize tokens a float32 score, an int32 length and that many bytes. The vocabulary size
// is not stored in the file (it comes from the checkpoint), so the file must end exactly
// after the last token.
func ReadTokenizer(data []byte, vocabSize int) (*Vocab, error) {
	if vocabSize <= 0 {
		return nil, fmt.Errorf("llama2c: vocabulary size %d must be positive", vocabSize)
	}
	n := int64(len(data))
	if n < 4 {
		return nil, errorf(n, "header needs 4 bytes, file has %d", n)
	}
	maxLen := int64(int32(binary.LittleEndian.Uint32(data)))
	if maxLen < 0 {
		return nil, errorf(0, "max_token_length %d is negative", maxLen)
	}
	if maxLen > n {
		return nil, errorf(0, "max_token_length %d larger than the file", maxLen)
	}
	if int64(vocabSize) > (n-4)/8 {
		return nil, errorf(4, "%d tokens need at least %d bytes, file has %d", vocabSize, 4+8*int64(vocabSize), n)
	}
	total, err := scanTokens(data, vocabSize, maxLen)
	if err != nil {
		return nil, err
	}
	v := &Vocab{MaxTokenLength: int(maxLen), Tokens: make([][]byte, vocabSize), Scores: make([]float32, vocabSize)}
	text := make([]byte, 0, total)
	off := 4
	for i := range vocabSize {
		v.Scores[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[off:]))
		l := int(binary.LittleEndian.Uint32(data[off+4:]))
		start := len(text)
		text = append(text, data[off+8:off+8+l]...)
		v.Tokens[i] = text[start:len(text):len(text)]
		off += 8 + l
	}
	return v, nil
}

// scanTokens checks every token entry and returns the total token length in bytes.
func scanTokens(data []byte, vocabSize int, maxLen int64) (int64, error) {
	n := int64(len(data))
	off, total := int64(4), int64(0)
	for i := range vocabSize {
		if n-off < 8 {
			return 0, errorf(off, "token %d: entry needs 8 bytes, %d left", i, n-off)
		}
		l := int64(int32(binary.LittleEndian.Uint32(data[off+4:])))
		switch {
		case l < 0 || l > maxLen:
			return 0, errorf(off+4, "token %d: length %d outside 0..max_token_length %d", i, l, maxLen)
		case l > n-off-8:
			return 0, errorf(off+8, "token %d: %d bytes, %d left", i, l, n-off-8)
		}
		off += 8 + l
		total += l
	}
	if off != n {
		return 0, errorf(off, "%d trailing bytes after %d tokens (vocabulary size mismatch?)", n-off, vocabSize)
	}
	return total, nil
}
