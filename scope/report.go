package scope

import (
	"slices"

	"github.com/scopekv/scope/kv"
)

// Event is one rebuild step of a sequence (all layers rebuild in the same pass).
type Event struct {
	Step    int `json:"step"`
	Budget  int `json:"budget"`  // D_s
	Evicted int `json:"evicted"` // entries freed over all layers and units
	Moved   int `json:"moved"`   // slots copied by compaction after the rebuild
}

// Report is the accounting of one sequence, ready for JSON. Entry counts are per sequence;
// Layers has the per-layer resident entries and bytes (current, peak, mean) and the bytes
// copied and evictions from package kv. Its peaks include the transient full prompt
// before the prefill selection; PeakLayerEntries is the decode-phase peak layer
// length (P_l plus the most decode entries any step attended).
type Report struct {
	Prefill  string `json:"prefill"`
	Decode   string `json:"decode"`
	GQA      string `json:"gqa"`
	Units    int    `json:"units_per_layer"`
	PageSize int    `json:"page_size"`
	SlotSize int64  `json:"slot_bytes"` // K, V and position bytes per entry: multiply entry counts by it
	Delta    int    `json:"delta"`
	Period   int    `json:"refresh_period"`

	PromptLen   int   `json:"prompt_len"`
	PrefillKept []int `json:"prefill_kept"` // P_l per layer (per unit)

	Steps             int   `json:"steps"`
	FirstRebuild      int   `json:"first_rebuild_step"` // 0 = none yet
	Rebuilds          int   `json:"rebuilds"`           // selection runs per layer, no-ops included
	EvictingRebuilds  int   `json:"evicting_rebuilds"`
	Evictions         int64 `json:"evictions"` // all layers and units
	SlotsCompacted    int64 `json:"slots_compacted"`
	DecodeEntries     int   `json:"decode_entries"`      // per (layer, unit), after the last step
	PeakDecodeEntries int   `json:"peak_decode_entries"` // attended, new token included
	// MeanDecodeEntries is the decode entries per (layer, unit) attended, mean over the steps.
	MeanDecodeEntries float64 `json:"mean_decode_entries"`
	PeakLayerEntries  int     `json:"peak_layer_entries"` // max over layers of P_l + peak decode

	// ResidentBytes is the memory of the entries resident now (K, V and position, all
	// layers and units); PeakResidentBytes the most any decode step attended.
	ResidentBytes     int64 `json:"resident_bytes"`
	PeakResidentBytes int64 `json:"peak_resident_bytes"`
	// DeviceBytes is the KV store the backend allocated for the session (set by the
	// runtime; 0 when unknown).
	DeviceBytes int64 `json:"device_bytes"`

	StepEntries []int           `json:"step_entries"` // attended entries, all layers and units, per step
	Events      []Event         `json:"events"`
	Layers      []kv.LayerStats `json:"layers"`
}

// accounting collects the per-step counters the kv layer does not know about.
type accounting struct {
	steps, firstRebuild, rebuilds, evictingRebuilds int
	evictions, moved                                int64
	peakDecode, sumDecode                           int
	stepEntries                                     []int
	events                                          []Event
}

func (a *accounting) init(maxNewTokens int) {
	// room for a typical request up front, so most steps do not allocate; serving limits
	// can be huge, so the rest grows on demand
	n := min(maxNewTokens, 8192)
	a.stepEntries = make([]int, 0, n)
	a.events = make([]Event, 0, n)
}

func (a *accounting) begin(p Plan, resident int) {
	a.steps++
	a.peakDecode = max(a.peakDecode, p.Entries)
	a.sumDecode += p.Entries
	a.stepEntries = append(a.stepEntries, resident)
}

func (a *accounting) end(p Plan, evicted, moved int) {
	if !p.Rebuild {
		return
	}
	a.rebuilds++
	if a.firstRebuild == 0 {
		a.firstRebuild = p.Step
	}
	if evicted > 0 {
		a.evictingRebuilds++
		a.evictions += int64(evicted)
		a.moved += int64(moved)
		a.events = append(a.events, Event{Step: p.Step, Budget: p.Budget, Evicted: evicted, Moved: moved})
	}
}

func (a accounting) clone() accounting {
	a.stepEntries = slices.Clone(a.stepEntries)
	a.events = slices.Clone(a.events)
	return a
}

// Report returns the sequence's accounting so far.
func (m *Manager) Report() Report {
	a := &m.acct
	r := Report{
		Prefill: m.cfg.Prefill.String(), Decode: m.cfg.Decode.String(), GQA: m.cfg.GQA.String(),
		Units: m.units, PageSize: m.cfg.PageSize, SlotSize: m.seq.Pool().Config().BytesPerSlot, Delta: m.sched.Delta(), Period: m.sched.Period(),
		PromptLen: m.promptLen, PrefillKept: slices.Clone(m.budgets),
		Steps: a.steps, FirstRebuild: a.firstRebuild, Rebuilds: a.rebuilds,
		EvictingRebuilds: a.evictingRebuilds, Evictions: a.evictions, SlotsCompacted: a.moved,
		DecodeEntries: m.sched.Entries(), PeakDecodeEntries: a.peakDecode,
		StepEntries: slices.Clone(a.stepEntries), Events: slices.Clone(a.events),
		Layers: m.seq.Stats(nil),
	}
	for _, l := range r.Layers {
		r.ResidentBytes += l.EntryBytes
	}
	for _, e := range a.stepEntries {
		r.PeakResidentBytes = max(r.PeakResidentBytes, int64(e)*r.SlotSize)
	}
	if a.steps > 0 {
		r.MeanDecodeEntries = float64(a.sumDecode) / float64(a.steps)
	}
	for _, b := range m.budgets {
		r.PeakLayerEntries = max(r.PeakLayerEntries, b+a.peakDecode)
	}
	return r
}
