package builtin

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestBuiltinIsStories260K(t *testing.T) {
	sum := sha256.Sum256([]byte(stories260K))
	if got := hex.EncodeToString(sum[:]); got != "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d" {
		t.Fatalf("embedded file sha256 %s", got)
	}
	m, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c := m.Config
	if c.Dim != 64 || c.NLayers != 5 || c.NHeads != 8 || c.NKVHeads != 4 || c.VocabSize != 512 {
		t.Errorf("config %+v", c)
	}
	if ids := m.Tokenizer.Encode("Once upon a time", false, false); len(ids) != 4 || ids[0] != 403 {
		t.Errorf("tokens %v, want 403 407 261 378", ids)
	}
}
