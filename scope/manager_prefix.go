package scope

import "fmt"

// SharePrefix starts this fresh sequence's prompt with the leading prompt pages of src,
// whose prompt begins with the same n tokens (the caller compares the tokens): those
// pages are shared (copy-on-write) instead of computed again. Only whole pages are
// shared, only those src keeps unchanged while decoding, and only between Full-prefill
// policies (a selecting prefill method ranks every prompt entry itself, so it must compute
// them). It returns the prompt tokens shared, a multiple of the page size (0 when nothing
// can be); the prompt then continues with AppendPrompt at that position.
func (m *Manager) SharePrefix(src *Manager, n int) (int, error) {
	if m.phase != phasePrefill || m.promptStart >= 0 || m.inStep {
		return 0, fmt.Errorf("%w: SharePrefix after the prompt began", ErrState)
	}
	if src.cfg.Prefill != PrefillFull || m.cfg.Prefill != PrefillFull || src.frozen == nil ||
		src.promptStart != 0 || src.units != m.units || src.seq.Pool() != m.seq.Pool() {
		return 0, nil
	}
	ps := m.cfg.PageSize
	pages := min(n, src.promptLen) / ps
	for _, f := range src.frozen {
		pages = min(pages, f)
	}
	pages = src.inOrderPages(pages)
	if pages == 0 {
		return 0, nil
	}
	if err := m.seq.SharePrefix(src.seq, pages); err != nil {
		return 0, err
	}
	m.promptStart, m.promptLen = 0, pages*ps
	return pages * ps, nil
}

// inOrderPages returns how many of the first pages of every table hold exactly the
// positions 0, 1, 2, ... in slot order (at most pages).
func (m *Manager) inOrderPages(pages int) int {
	ps := m.cfg.PageSize
	for l := range m.shape.Layers {
		for u := range m.units {
			m.posBuf = m.seq.TablePositions(l, u, m.posBuf[:0])
			for i := 0; i < pages*ps; i++ {
				if i >= len(m.posBuf) || m.posBuf[i] != int32(i) {
					pages = i / ps
					break
				}
			}
		}
	}
	return pages
}
