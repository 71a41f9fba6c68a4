package sample

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

// FuzzSample drives the sampler with arbitrary logits (any float32 bit pattern: NaN, ±Inf,
// subnormals), parameters and history. It must never panic, and must return either a valid
// id that is not a NaN logit (nor, without a repetition penalty, a -Inf one or one that is
// not +Inf when some are) or an error wrapping ErrInvalidParams or ErrNoCandidates.
func FuzzSample(f *testing.F) {
	le := func(vs ...float32) []byte {
		b := make([]byte, 4*len(vs))
		for i, v := range vs {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
		return b
	}
	f.Add(le(1, 2, 3, 4), []byte{0, 1}, float32(0.8), 40, float32(0.95), float32(0.05), float32(1.1), 64, uint64(1))
	f.Add(le(nan, 1, posInf, negInf), []byte{2}, float32(1), 0, float32(0.5), float32(0), float32(0), 0, uint64(7))
	f.Add(le(nan), []byte{}, float32(0), 0, float32(0), float32(0), float32(0), 0, uint64(0))
	f.Add(le(0.5, 0.5), []byte{}, float32(1e-38), 1, float32(0.01), float32(1), float32(1e-30), -1, uint64(3))
	f.Fuzz(func(t *testing.T, raw []byte, hist []byte, temp float32, topK int, topP, minP, rep float32, lastN int, seed uint64) {
		logits := make([]float32, len(raw)/4)
		for i := range logits {
			logits[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		orig := append([]float32(nil), logits...)
		recent := make([]int32, len(hist))
		for i, b := range hist {
			recent[i] = int32(int8(b)) // also negative and out-of-range ids
		}
		p := Params{Temperature: temp, TopK: topK, TopP: topP, MinP: minP, RepeatPenalty: rep, RepeatLastN: lastN, Seed: seed}
		s := New(p)
		for range 3 {
			copy(logits, orig)
			id, err := s.Sample(logits, recent)
			if err != nil {
				if !errors.Is(err, ErrInvalidParams) && !errors.Is(err, ErrNoCandidates) {
					t.Fatalf("undocumented error %v", err)
				}
				if errors.Is(err, ErrInvalidParams) != (p.Validate() != nil) {
					t.Fatalf("%v for %+v (Validate: %v)", err, p, p.Validate())
				}
				return
			}
			checkChoice(t, orig, id, p)
		}
	})
}

func checkChoice(t *testing.T, orig []float32, id int, p Params) {
	if id < 0 || id >= len(orig) {
		t.Fatalf("id %d outside [0,%d)", id, len(orig))
	}
	if orig[id] != orig[id] {
		t.Fatalf("chose NaN logit %d of %v (%+v)", id, orig, p)
	}
	if p.RepeatPenalty != 0 && p.RepeatPenalty != 1 && p.RepeatLastN != 0 {
		return // the penalty may move logits to or from ±Inf
	}
	if orig[id] == negInf {
		t.Fatalf("chose -Inf logit %d of %v (%+v)", id, orig, p)
	}
	for _, v := range orig {
		if v == posInf && orig[id] != posInf {
			t.Fatalf("chose finite logit %d while %v holds +Inf (%+v)", id, orig, p)
		}
	}
}
