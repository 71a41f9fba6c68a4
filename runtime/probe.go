package runtime

import (
	"context"
	"slices"
)

// Probe records the attention of chosen decode steps: the heavy-hitter drift analysis
// (which keys the current query attends to, prompt or decoded) reads it.
type Probe struct {
	Steps  []int // decode steps (1 = the first token evaluated after the prompt)
	Layers []int // layers to report (nil = all)
	Fn     func(ProbeSample) error
}

// ProbeSample is the attention of one query token in one layer.
type ProbeSample struct {
	Step      int
	Layer     int
	PromptLen int
	Heads     int
	Cols      int
	Probs     []float32 // (Heads, Cols): attention probability of each KV slot
	Positions []int32   // (Heads, Cols): the slot's logical position, -1 when empty
}

func (p *Probe) wants(step int) bool { return p != nil && slices.Contains(p.Steps, step) }

func (p *Probe) layer(l int) bool { return p.Layers == nil || slices.Contains(p.Layers, l) }

// SetProbe installs a probe for the following generations (nil removes it). On a closed
// or busy session it does nothing.
func (s *Session) SetProbe(p *Probe) {
	if _, err := s.enter(context.Background()); err != nil {
		return
	}
	defer s.exit()
	s.probe = p
}

// deliverProbes hands the samples of the last Eval to the probe, outside the device
// section, so the callback may even close the model.
func (s *Session) deliverProbes() error {
	out := s.probeOut
	s.probeOut = nil
	for _, smp := range out {
		if err := callSafely(func() error { return s.probe.Fn(smp) }); err != nil {
			return err
		}
	}
	return nil
}

// reportProbe reads the step's scores and queues a sample per probed layer.
func (s *Session) reportProbe(st *step, decodeStep int) error {
	c := s.m.file.Config
	group := c.NHeads / s.units
	for l := 0; l < c.NLayers; l++ {
		if !s.probe.layer(l) {
			continue
		}
		sc, err := s.scores.read(s.m.dev, l)
		if err != nil {
			return err
		}
		cols := st.scoreStride
		smp := ProbeSample{Step: decodeStep, Layer: l, PromptLen: s.promptLen, Heads: c.NHeads, Cols: cols,
			Probs: slices.Clone(sc[:c.NHeads*cols]), Positions: make([]int32, c.NHeads*cols)}
		for h := 0; h < c.NHeads; h++ {
			s.slotPositions(st.tables[l][h/group], smp.Positions[h*cols:(h+1)*cols])
		}
		s.probeOut = append(s.probeOut, smp)
	}
	return nil
}

// slotPositions writes the logical position of every slot of a page table (-1 = empty).
func (s *Session) slotPositions(table []int32, dst []int32) {
	ps := s.kv.Layout().PageSize
	for i := range dst {
		dst[i] = -1
		if i/ps >= len(table) {
			continue
		}
		slot := table[i/ps]*int32(ps) + int32(i%ps)
		dst[i] = s.pol.pool.Pos(slot)
	}
}
