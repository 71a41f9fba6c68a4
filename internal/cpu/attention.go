package cpu

import (
	"fmt"
	"math"

	"github.com/scopekv/scope/internal/backend"
)

// attnJob is a validated Attention op with its host slices.
type attnJob struct {
	o      backend.Attention
	kv     *kvStore
	q, out []float32
	scores []float32 // nil when not requested
	scale  float32
	group  int // query heads per unit
	first  int // first query token whose probabilities add into scores
}

func (d *Device) attention(o backend.Attention) error {
	j, err := newAttnJob(o)
	if err != nil {
		return err
	}
	maxSlots := 0
	for _, t := range o.Tables[:o.Units] {
		maxSlots = max(maxSlots, len(t)*j.kv.layout.PageSize)
	}
	if j.scores != nil {
		// Score rows of one head add up in token order, so a head stays on one worker.
		d.pool.parallel(o.NHeads, 1, func(w, lo, hi int) {
			logits := d.scratch.workerScratch(w, maxSlots)
			for h := lo; h < hi; h++ {
				for t := 0; t < o.N; t++ {
					d.attendOne(j, t, h, logits)
				}
			}
		})
		return nil
	}
	if len(d.scratch.acts) < d.threads {
		d.scratch.acts = make([]act, d.threads)
	}
	d.pool.parallel(o.N*o.Units, 1, func(w, lo, hi int) {
		logits := d.scratch.workerScratch(w, j.group*maxSlots)
		for i := lo; i < hi; i++ {
			d.attendGroup(j, i/o.Units, i%o.Units, logits, &d.scratch.acts[w])
		}
	})
	return nil
}

func newAttnJob(o backend.Attention) (*attnJob, error) {
	kv, err := asKV(o.KV)
	if err != nil {
		return nil, err
	}
	l := kv.layout
	if o.N < 0 || o.NHeads <= 0 || o.Units <= 0 || o.NHeads%o.Units != 0 || o.HeadDim != l.HeadDim ||
		len(o.Tables) < o.Units || len(o.QPos) < o.N {
		return nil, fmt.Errorf("N %d, heads %d, units %d, headDim %d (KV %d), %d tables, %d positions: %w",
			o.N, o.NHeads, o.Units, o.HeadDim, l.HeadDim, len(o.Tables), len(o.QPos), ErrInvalidOp)
	}
	maxSlots := 0
	for u, table := range o.Tables[:o.Units] {
		for _, p := range table {
			if p < 0 || int(p) >= l.NumPages {
				return nil, fmt.Errorf("unit %d: page %d outside [0, %d): %w", u, p, l.NumPages, ErrInvalidOp)
			}
		}
		maxSlots = max(maxSlots, len(table)*l.PageSize)
	}
	j := &attnJob{o: o, kv: kv, scale: o.Scale, group: o.NHeads / o.Units, first: max(o.N-max(o.ScoreRows, 1), 0)}
	if j.scale == 0 {
		j.scale = float32(1 / math.Sqrt(float64(o.HeadDim)))
	}
	if o.Row < 0 {
		return nil, fmt.Errorf("row %d: %w", o.Row, ErrInvalidOp)
	}
	// q and out start at the op's first row, so token t is row Row+t of the buffers
	row, n := o.Row*o.NHeads*o.HeadDim, o.N*o.NHeads*o.HeadDim
	if j.q, err = asBuffer(o.Q, row+n); err != nil {
		return nil, fmt.Errorf("Q: %w", err)
	}
	if j.out, err = asBuffer(o.Out, row+n); err != nil {
		return nil, fmt.Errorf("Out: %w", err)
	}
	j.q, j.out = j.q[row:], j.out[row:]
	if o.Scores != nil && o.N > 0 {
		if o.ScoreStride < maxSlots {
			return nil, fmt.Errorf("score stride %d < %d slots: %w", o.ScoreStride, maxSlots, ErrInvalidOp)
		}
		if j.scores, err = asBuffer(o.Scores, (o.NHeads-1)*o.ScoreStride+maxSlots); err != nil {
			return nil, fmt.Errorf("Scores: %w", err)
		}
	}
	return j, nil
}

// attendOne computes query head h of token t: softmax over the unit's live slots in table
// order, then the weighted sum of their V vectors; the probabilities of the last ScoreRows
// tokens add into Scores. logits is scratch for the table's slots.
func (d *Device) attendOne(j *attnJob, t, h int, logits []float32) {
	o, kv := &j.o, j.kv
	hd, ps := o.HeadDim, kv.layout.PageSize
	table := o.Tables[h/j.group]
	logits = logits[:len(table)*ps]
	base := (t*o.NHeads + h) * hd
	q, dst := j.q[base:base+hd], j.out[base:base+hd]
	qpos := o.QPos[t]
	negInf := float32(math.Inf(-1))
	maxv := negInf
	for i := range logits {
		s := int(table[i/ps])*ps + i%ps
		if p := kv.pos[s]; p < 0 || p > qpos {
			logits[i] = negInf // excluded: exp gives exactly 0
			continue
		}
		v := d.k.dot(q, kv.k[s*hd:(s+1)*hd]) * j.scale
		logits[i] = v
		maxv = max(maxv, v)
	}
	clear(dst)
	if math.IsInf(float64(maxv), -1) {
		clear(logits) // no live slot: zero output and zero probabilities
	} else {
		sum := d.k.expSum(logits, maxv)
		for i, e := range logits {
			if e == 0 {
				continue
			}
			p := e / sum
			logits[i] = p
			s := int(table[i/ps])*ps + i%ps
			d.k.axpy(dst, p, kv.v[s*hd:(s+1)*hd])
		}
	}
	if j.scores != nil && t >= j.first {
		dst := j.scores[h*o.ScoreStride : h*o.ScoreStride+len(logits)]
		if t == j.first {
			copy(dst, logits)
		} else {
			for i, p := range logits {
				dst[i] += p
			}
		}
	}
}
