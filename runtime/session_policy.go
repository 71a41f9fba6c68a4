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
	p := s.pol
	if p.maxPrompt > 0 && len(tokens) > p.maxPrompt {
		return fmt.Errorf("%w: a prompt of %d tokens; the KV store was sized for at most %d (SessionOptions.MaxPromptTokens)",
			ErrContextFull, len(tokens), p.maxPrompt)
	}
	if p.mgr == nil {
		if err := p.begin(len(tokens), max(s.ctxLen-len(tokens), 1)); err != nil {
			return err
		}
	}
	p.promptN = len(tokens)
	chunks := p.chunks(len(tokens), s.m.cfg.BatchSize)
	for i, n := range chunks {
		if err := s.promptChunk(ctx, tokens[:n], i == len(chunks)-1); err != nil {
			return err
		}
		tokens = tokens[n:]
	}
	return p.selectPrompt()
}

func (s *Session) promptChunk(ctx context.Context, tokens []int32, last bool) error {
	p := s.pol
	st := s.newStep(tokens)
	if _, err := p.mgr.AppendPrompt(st.pos[0], len(tokens)); err != nil {
		return err
	}
	s.fillLayers(st)
	rows := p.promptScoreRows(last, len(tokens))
	if rows > 0 {
		if err := s.attachScores(st, p.maxStride(), rows); err != nil {
			return err
		}
	}
	if err := s.run(ctx, st); err != nil {
		return err
	}
	for l := 0; rows > 0 && l < len(st.tables); l++ {
		sc, err := s.scores.read(s.m.dev, l)
		if err != nil {
			return err
		}
		p.addPromptScores(l, sc, st.scoreStride, s.pos)
	}
	return nil
}

// evalDecode runs one decode step: a slot for the token in every (layer, unit), attention
// with scores when the policy selects at this step, then evictions, only after attending.
// A step that fails before its evictions is undone (Manager.Abort), so the session can go
// on from the same position.
func (s *Session) evalDecode(ctx context.Context, token int32) error {
	p := s.pol
	if !p.decoding {
		return fmt.Errorf("%w: decode step before the prompt", ErrBadConfig)
	}
	plan, err := p.mgr.Begin(int32(s.pos))
	if err != nil {
		return err
	}
	pos := s.pos
	probeErr, err := s.decodeStepRun(ctx, token, plan)
	if err != nil {
		if s.pos > pos { // the forward pass ran: take its token back
			s.pos, s.history = pos, s.history[:len(s.history)-1]
		}
		s.decodeStep--
		if aerr := p.mgr.Abort(); aerr != nil {
			s.reset()
			return errors.Join(err, aerr)
		}
		return err
	}
	return probeErr
}

// decodeStepRun runs a begun decode step up to its End. The probe sees the step's scores
// before the evictions; its error does not stop the step.
func (s *Session) decodeStepRun(ctx context.Context, token int32, plan scope.Plan) (probeErr, err error) {
	p := s.pol
	s.decodeStep++
	st := s.newStep([]int32{token})
	s.fillLayers(st)
	if plan.NeedScores || s.probe.wants(s.decodeStep) {
		if err := s.attachScores(st, p.maxStride(), 1); err != nil {
			return nil, err
		}
	}
	if err := s.run(ctx, st); err != nil {
		return nil, err
	}
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
