package runtime

import (
	"context"
	"errors"
	"fmt"

	"github.com/scopekv/scope/kv"
	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/scope"
)

// kvPagesFor converts a KV memory budget into pages: F32 K and V per slot, plus the
// position kv.PagesFor adds itself (kvSlotBytes already counts it).
func kvPagesFor(bytes int64, pageSize int, c model.Config) int {
	return kv.PagesFor(bytes, pageSize, kvSlotBytes(c)-4)
}

// policySlotHostBytes is the page pool's bookkeeping per slot (a position and a free-list
// entry).
const policySlotHostBytes = 8

// evalPrompt feeds the prompt through the policy cache in chunks, collects the scores the
// prefill method ranks, and runs its selection once the whole prompt is in.
func (s *Session) evalPrompt(ctx context.Context, tokens []int32) error {
	if err := s.startPrompt(len(tokens)); err != nil {
		return err
	}
	chunks := s.pol.chunks(len(tokens), s.fw.rows)
	for i, n := range chunks {
		p, err := s.promptPart(tokens[:n], i == len(chunks)-1)
		if err != nil {
			return err
		}
		if err := s.runPart(ctx, p); err != nil {
			return err
		}
		tokens = tokens[n:]
	}
	return nil
}

// startPrompt checks a prompt of n tokens against the store and begins the policy's request
// when no Prefill began it.
func (s *Session) startPrompt(n int) error {
	p := s.pol
	if p.maxPrompt > 0 && n > p.maxPrompt {
		return fmt.Errorf("%w: a prompt of %d tokens; the KV store was sized for at most %d (SessionOptions.MaxPromptTokens)",
			ErrContextFull, n, p.maxPrompt)
	}
	if p.mgr == nil {
		if err := p.begin(n, max(s.ctxLen-n, 1)); err != nil {
			return err
		}
	}
	p.promptN = n
	return nil
}

// promptPart prepares a prompt chunk: its slots, and the scores the prefill method sums.
// After the last chunk the prefill selection runs. A failed chunk leaves the prompt
// unfinished: the caller starts over from reset.
func (s *Session) promptPart(tokens []int32, last bool) (*part, error) {
	p := s.pol
	st := s.newStep(tokens)
	if _, err := p.mgr.AppendPrompt(st.pos[0], len(tokens)); err != nil {
		return nil, err
	}
	s.fillLayers(st)
	rows := p.promptScoreRows(last, len(tokens))
	if rows > 0 {
		if err := s.attachScores(st, p.maxStride(), rows); err != nil {
			return nil, err
		}
	}
	finish := func() error {
		for l := 0; rows > 0 && l < len(st.tables); l++ {
			sc, err := s.scores.read(s.m.dev, l)
			if err != nil {
				return err
			}
			p.addPromptScores(l, sc, st.scoreStride, s.pos)
		}
		if last {
			return p.selectPrompt()
		}
		return nil
	}
	return &part{s: s, st: st, finish: finish}, nil
}

// evalDecode runs one decode step alone.
func (s *Session) evalDecode(ctx context.Context, token int32) error {
	p, err := s.decodePart(token)
	if err != nil {
		return err
	}
	return s.runPart(ctx, p)
}

// decodePart prepares one decode step: a slot for the token in every (layer, unit),
// attention with scores when the policy selects at this step; once the pass has run, the
// scores are ranked and the evictions made, only after attending. A step that fails is
// undone (Manager.Abort), so the session can go on from the same position.
func (s *Session) decodePart(token int32) (*part, error) {
	p := s.pol
	if !p.decoding {
		return nil, fmt.Errorf("%w: decode step before the prompt", ErrBadConfig)
	}
	plan, err := p.mgr.Begin(int32(s.pos))
	if err != nil {
		return nil, err
	}
	s.decodeStep++
	st := s.newStep([]int32{token})
	s.fillLayers(st)
	if plan.NeedScores || s.probe.wants(s.decodeStep) {
		if err := s.attachScores(st, p.maxStride(), 1); err != nil {
			return nil, s.undoDecode(err)
		}
	}
	pos := s.pos
	finish := func() error {
		probeErr, err := s.endDecode(st, plan)
		if err != nil {
			s.pos, s.history = pos, s.history[:len(s.history)-1] // take the token back
			return s.undoDecode(err)
		}
		return probeErr
	}
	return &part{s: s, st: st, finish: finish, abort: s.undoDecode}, nil
}

// undoDecode takes back a begun decode step that failed with err.
func (s *Session) undoDecode(err error) error {
	s.decodeStep--
	if aerr := s.pol.mgr.Abort(); aerr != nil {
		s.reset()
		return errors.Join(err, aerr)
	}
	return err
}

// endDecode finishes a decode step whose pass has run: the probe sees the step's scores
// before the evictions (its error does not stop the step), the policy ranks them, and End
// evicts.
func (s *Session) endDecode(st *step, plan scope.Plan) (probeErr, err error) {
	p := s.pol
	if s.probe.wants(s.decodeStep) {
		probeErr = s.reportProbe(st, s.decodeStep)
	}
	for l := 0; plan.NeedScores && l < len(st.tables); l++ {
		sc, err := s.scores.read(s.m.dev, l)
		if err != nil {
			return nil, err
		}
		if err := p.mgr.Observe(l, sc, st.scoreStride); err != nil {
			return nil, err
		}
	}
	return probeErr, p.mgr.End()
}

// fillLayers takes the step's slots and page tables from the manager, and the pending page
// updates as the first ops.
func (s *Session) fillLayers(st *step) {
	p := s.pol
	st.kvOps = p.kvOps(s.kv)
	for l := 0; l < s.m.file.Config.NLayers; l++ {
		st.slots = append(st.slots, p.mgr.LayerSlots(l))
		st.tables = append(st.tables, p.tables(l))
	}
}
