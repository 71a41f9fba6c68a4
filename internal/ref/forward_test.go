package ref

import (
	"encoding/binary"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model"
)

// TestLogitsStories260K checks the reference forward pass against llama2.c's logits for the
// first 16 positions of the greedy run (testdata README §4), within 1e-4.
func TestLogitsStories260K(t *testing.T) {
	raw, err := os.ReadFile(testdata.Path(t, "reference", "stories260K_greedy_logits_pos0-15.f32"))
	if err != nil {
		t.Fatal(err)
	}
	idsText, err := os.ReadFile(testdata.Path(t, "reference", "stories260K_t0_n200_token_ids.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int32
	for _, f := range strings.Fields(string(idsText)) {
		v, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, int32(v))
	}
	m, err := model.Open(testdata.Path(t, "gguf", "stories260K.gguf"), model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tr, err := NewTransformer(m, 64)
	if err != nil {
		t.Fatal(err)
	}
	const vocab = 512
	for pos := 0; pos < 16; pos++ {
		logits, err := tr.Forward(ids[pos], pos)
		if err != nil {
			t.Fatal(err)
		}
		var worst float64
		for i := 0; i < vocab; i++ {
			want := math.Float32frombits(binary.LittleEndian.Uint32(raw[(pos*vocab+i)*4:]))
			worst = max(worst, math.Abs(float64(logits[i]-want)))
		}
		if worst > 1e-4 {
			t.Errorf("pos %d: max abs logit error %g > 1e-4", pos, worst)
		}
		if got := Argmax(logits); int32(got) != ids[pos+1] {
			t.Errorf("pos %d: argmax %d, want %d", pos, got, ids[pos+1])
		}
	}
}
