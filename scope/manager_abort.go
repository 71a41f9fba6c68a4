package scope

import "fmt"

// stepUndo is what Begin changed outside the pages, kept so Abort can put it back.
type stepUndo struct {
	sched      Schedule
	steps      int
	peakDecode int
	sumDecode  int
	entries    int // len(acct.stepEntries)
}

func (m *Manager) saveUndo() {
	m.undo = stepUndo{sched: *m.sched, steps: m.acct.steps, peakDecode: m.acct.peakDecode,
		sumDecode: m.acct.sumDecode, entries: len(m.acct.stepEntries)}
}

// Abort ends a step whose forward pass failed or was cancelled, as if Begin had not been
// called: the token's slots are freed and the schedule and accounting return to where
// Begin found them, so the next Begin takes the same position. Outside a step it does
// nothing. Once a layer's scores were observed its evictions cannot be undone: Abort then
// returns an error wrapping ErrState and the manager takes no more steps (Close it).
func (m *Manager) Abort() error {
	if !m.inStep {
		return nil
	}
	m.inStep = false
	for _, ok := range m.observed {
		if ok {
			m.phase = phaseClosed
			return fmt.Errorf("%w: step %d aborted after some layers evicted; the sequence cannot continue", ErrState, m.plan.Step)
		}
	}
	m.undoAppend(len(m.slots), 1)
	*m.sched = m.undo.sched
	m.acct.steps, m.acct.peakDecode, m.acct.sumDecode = m.undo.steps, m.undo.peakDecode, m.undo.sumDecode
	m.acct.stepEntries = m.acct.stepEntries[:m.undo.entries]
	return nil
}
