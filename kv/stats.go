package kv

// LayerStats is the accounting of one layer of one sequence, summed over its units. Bytes
// are Config.BytesPerSlot per slot (K, V and position): EntryBytes count live slots, PageBytes the
// whole pages held (what the pool cannot give to others). Peaks are exact (tracked on every
// append); means are over Sample calls (the runtime samples once per forward pass, after the
// new token was appended, so they are per-step attended sizes).
type LayerStats struct {
	Entries     int     `json:"entries"`
	Pages       int     `json:"pages"`
	EntryBytes  int64   `json:"entry_bytes"`
	PageBytes   int64   `json:"page_bytes"`
	PeakEntries int     `json:"peak_entries"`
	PeakPages   int     `json:"peak_pages"`
	PeakBytes   int64   `json:"peak_page_bytes"`
	MeanEntries float64 `json:"mean_entries"`
	MeanPages   float64 `json:"mean_pages"`
	MeanBytes   float64 `json:"mean_page_bytes"`
	Samples     int64   `json:"samples"`
	Evictions   int64   `json:"evictions"`
	SlotsCopied int64   `json:"slots_copied"` // by compaction
	PagesCopied int64   `json:"pages_copied"` // by copy-on-write
	BytesCopied int64   `json:"bytes_copied"` // both
}

type layerCounters struct {
	entries, pages         int
	peakEntries, peakPages int
	sumEntries, sumPages   float64
	samples                int64
	evictions              int64
	slotsCopied            int64
	pagesCopied            int64
	bytesCopied            int64
}

func (c *layerCounters) notePeak() {
	c.peakEntries = max(c.peakEntries, c.entries)
	c.peakPages = max(c.peakPages, c.pages)
}

func (c *layerCounters) stats(cfg Config) LayerStats {
	pageBytes := int64(cfg.PageSize) * cfg.BytesPerSlot
	st := LayerStats{
		Entries: c.entries, Pages: c.pages,
		EntryBytes: int64(c.entries) * cfg.BytesPerSlot, PageBytes: int64(c.pages) * pageBytes,
		PeakEntries: c.peakEntries, PeakPages: c.peakPages, PeakBytes: int64(c.peakPages) * pageBytes,
		Samples: c.samples, Evictions: c.evictions,
		SlotsCopied: c.slotsCopied, PagesCopied: c.pagesCopied, BytesCopied: c.bytesCopied,
	}
	if c.samples > 0 {
		st.MeanEntries = c.sumEntries / float64(c.samples)
		st.MeanPages = c.sumPages / float64(c.samples)
		st.MeanBytes = st.MeanPages * float64(pageBytes)
	}
	return st
}

// Sample records the current resident entries and pages of every layer into the means.
func (s *Seq) Sample() {
	s.pool.mu.Lock()
	defer s.pool.mu.Unlock()
	for l := range s.layers {
		c := &s.layers[l]
		c.sumEntries += float64(c.entries)
		c.sumPages += float64(c.pages)
		c.samples++
	}
}

// Stats returns the accounting of every layer, appended to dst.
func (s *Seq) Stats(dst []LayerStats) []LayerStats {
	s.pool.mu.Lock()
	defer s.pool.mu.Unlock()
	for l := range s.layers {
		dst = append(dst, s.layers[l].stats(s.pool.cfg))
	}
	return dst
}
