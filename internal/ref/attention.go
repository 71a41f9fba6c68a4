package ref

import (
	"math"

	"github.com/scopekv/scope/internal/backend"
)

// attention runs backend.Attention: for each query token and head, softmax over the unit's
// live slots (0 <= pos <= qpos) in page-table order, then the weighted sum of V.
func attention(o backend.Attention) {
	kv := o.KV.(*KV)
	ps, hd := kv.layout.PageSize, o.HeadDim
	q, out := buf(o.Q), buf(o.Out)
	scale := o.Scale
	if scale == 0 {
		scale = float32(1 / math.Sqrt(float64(hd)))
	}
	group := o.NHeads / o.Units
	for t := 0; t < o.N; t++ {
		for h := 0; h < o.NHeads; h++ {
			table := o.Tables[h/group]
			row := (o.Row+t)*o.NHeads + h
			qh := q[row*hd : (row+1)*hd]
			logits := make([]float32, len(table)*ps)
			live := make([]bool, len(logits))
			for i := range logits {
				s := int(table[i/ps])*ps + i%ps
				if p := kv.Pos[s]; p < 0 || p > o.QPos[t] {
					continue
				}
				live[i] = true
				logits[i] = dot(qh, kv.K[s*hd:(s+1)*hd]) * scale
			}
			probs := softmaxLive(logits, live)
			dst := out[row*hd : (row+1)*hd]
			for j := range dst {
				dst[j] = 0
			}
			for i, p := range probs {
				if !live[i] {
					continue
				}
				s := int(table[i/ps])*ps + i%ps
				for j, v := range kv.V[s*hd : (s+1)*hd] {
					dst[j] += p * v
				}
			}
			if first := max(o.N-max(o.ScoreRows, 1), 0); o.Scores != nil && t >= first {
				dst := buf(o.Scores)[h*o.ScoreStride:]
				for i, p := range probs {
					if t == first {
						dst[i] = 0
					}
					dst[i] += p
				}
			}
		}
	}
}

func dot(a, b []float32) float32 {
	var s float32
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// softmaxLive is Softmax over the live entries; dead entries get probability 0.
func softmaxLive(x []float32, live []bool) []float32 {
	maxv := float32(math.Inf(-1))
	for i, v := range x {
		if live[i] && v > maxv {
			maxv = v
		}
	}
	var sum float32
	for i, v := range x {
		if !live[i] {
			x[i] = 0
			continue
		}
		e := float32(math.Exp(float64(v - maxv)))
		x[i] = e
		sum += e
	}
	if sum > 0 {
		for i := range x {
			x[i] /= sum
		}
	}
	return x
}
