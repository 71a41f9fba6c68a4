package llama2c

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func checkpointSeeds() map[string][]byte {
	seeds := map[string][]byte{}
	for _, shared := range []bool{true, false} {
		for _, freq := range []bool{true, false} {
			seeds[fmt.Sprintf("tiny-shared%v-freq%v", shared, freq)] = makeCheckpoint(tinyConfig, shared, freq)
		}
	}
	good := makeCheckpoint(tinyConfig, true, true)
	for field, v := range map[int]int32{0: 0, 1: -1, 3: 3, 4: 3, 5: -10, 6: 1 << 30} {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[4*field:], uint32(v))
		seeds[fmt.Sprintf("tiny-field%d-%d", field, v)] = b
	}
	seeds["tiny-truncated"] = good[:len(good)-70]
	seeds["tiny-trailing"] = append(bytes.Clone(good), 1, 2, 3)
	seeds["header-only"] = good[:headerBytes]
	return seeds
}

func tokenizerSeeds() map[string][]byte {
	good := makeTokenizer(3, "a", "bc", "xyz", "")
	negLen := bytes.Clone(good)
	binary.LittleEndian.PutUint32(negLen[8:], 0x80000000)
	return map[string][]byte{
		"good":         good,
		"neg-length":   negLen,
		"over-max":     makeTokenizer(1, "a", "bc", "xyz", ""),
		"huge-max":     makeTokenizer(1<<31, "a", "bc", "xyz", ""),
		"truncated":    good[:len(good)-2],
		"trailing":     append(bytes.Clone(good), 0),
		"header-only":  good[:4],
		"spaces-bytes": makeTokenizer(6, "<unk>", "\n<s>\n", "\n</s>\n", "<0x0A>"),
	}
}

// FuzzCheckpoint checks that ReadCheckpoint never panics and that an accepted file yields
// arrays of exactly the sizes its header implies.
func FuzzCheckpoint(f *testing.F) {
	for _, s := range checkpointSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ck, err := ReadCheckpoint(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > int64(len(data)) {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		l := layout(ck.Config)
		total := int64(len(ck.TokenEmbedding) + len(ck.RMSAtt) + len(ck.Wq) + len(ck.Wk) + len(ck.Wv) + len(ck.Wo) +
			len(ck.RMSFFN) + len(ck.W1) + len(ck.W2) + len(ck.W3) + len(ck.RMSFinal))
		if total != l.weights || int64(len(ck.Wcls)) != l.wcls || headerBytes+4*total > int64(len(data)) {
			t.Fatalf("config %+v: %d weight floats, %d classifier floats, file %d bytes", ck.Config, total, len(ck.Wcls), len(data))
		}
	})
}

// FuzzTokenizer checks that ReadTokenizer never panics and that an accepted file has
// vocabSize tokens, none longer than its declared maximum.
func FuzzTokenizer(f *testing.F) {
	for _, s := range tokenizerSeeds() {
		f.Add(s, 4)
	}
	f.Fuzz(func(t *testing.T, data []byte, vocab int) {
		v, err := ReadTokenizer(data, vocab)
		if err != nil {
			var e *Error
			if errors.As(err, &e) && (e.Offset < 0 || e.Offset > int64(len(data))) {
				t.Fatalf("bad error offset %v", err)
			}
			return
		}
		if len(v.Tokens) != vocab || len(v.Scores) != vocab {
			t.Fatalf("%d tokens, %d scores for vocab %d", len(v.Tokens), len(v.Scores), vocab)
		}
		for i, tok := range v.Tokens {
			if len(tok) > v.MaxTokenLength {
				t.Fatalf("token %d has %d bytes, max %d", i, len(tok), v.MaxTokenLength)
			}
		}
	})
}

// TestWriteFuzzSeeds regenerates testdata/fuzz when LLAMA2C_WRITE_FUZZ_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("LLAMA2C_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set LLAMA2C_WRITE_FUZZ_SEEDS=1 to regenerate the seed corpora")
	}
	for dir, seeds := range map[string]map[string][]byte{"FuzzCheckpoint": checkpointSeeds(), "FuzzTokenizer": tokenizerSeeds()} {
		path := filepath.Join("testdata", "fuzz", dir)
		if err := os.MkdirAll(path, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range seeds {
			text := "go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n"
			if dir == "FuzzTokenizer" {
				text += "int(4)\n"
			}
			if err := os.WriteFile(filepath.Join(path, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
