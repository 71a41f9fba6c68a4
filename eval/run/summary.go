package run

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// md writes one Markdown table row.
func md(w io.Writer, cells ...string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
}

func mdHeader(w io.Writer, cells ...string) {
	md(w, cells...)
	sep := make([]string, len(cells))
	for i := range sep {
		sep[i] = "---"
	}
	md(w, sep...)
}

// percentCell prints an accuracy in [0, 1] as a percentage, "–" when missing.
func percentCell(v float64) string {
	if math.IsNaN(v) || v < 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", 100*v)
}

// WriteRecallSummary writes Markdown tables of one recall set: accuracy against the
// prefill budget, against the decode budget and R, the plug-in rows, and the cost of each
// decode policy.
func WriteRecallSummary(w io.Writer, set *RecallSet, g Grid) {
	fmt.Fprintf(w, "#### %s on %s (K=%d, N=%d prompt tokens, T=%d output tokens, %d prompts)\n\n",
		set.Model, set.Set, set.K, set.PromptLen, set.OutputLen, set.Prompts)
	fmt.Fprintf(w, "Full cache: accuracy %s%% (early/middle/late thirds %s).\n\n", percentCell(accuracyOf(set, "full")), thirds(set.Run("full")))
	if len(g.PrefillMethods) > 0 {
		writePrefillTable(w, set, g)
	}
	if len(g.DecodePolicies) > 0 {
		writeDecodeTable(w, set, g)
		writeCostTable(w, set, g)
	}
}

func thirds(r *RecallRun) string {
	if r == nil {
		return "–"
	}
	return fmt.Sprintf("%s/%s/%s", percentCell(r.Thirds[0]), percentCell(r.Thirds[1]), percentCell(r.Thirds[2]))
}

func writePrefillTable(w io.Writer, set *RecallSet, g Grid) {
	ratios := slices.Clone(g.PrefillRatios)
	slices.Sort(ratios)
	slices.Reverse(ratios)
	head := []string{"prefill only (decode none)", "100%"}
	for _, r := range ratios {
		head = append(head, pct(r))
	}
	mdHeader(w, head...)
	for _, v := range g.Variants() {
		for _, m := range g.PrefillMethods {
			row := []string{m + v, percentCell(accuracyOf(set, "full"+v))}
			for _, r := range ratios {
				row = append(row, percentCell(accuracyOf(set, prefillRun(m, r)+v)))
			}
			mdRowIfAny(w, row, 2)
		}
	}
	fmt.Fprintln(w)
}

// mdRowIfAny writes row unless every cell from the first value column on is missing.
func mdRowIfAny(w io.Writer, row []string, from int) {
	for _, c := range row[from:] {
		if c != "–" {
			md(w, row...)
			return
		}
	}
}

func writeDecodeTable(w io.Writer, set *RecallSet, g Grid) {
	fmt.Fprintf(w, "Decode policies at %s (full prefill; accuracy %%):\n\n", g.MemoryBasis())
	head := []string{"decode policy (full prefill)"}
	type col struct {
		d float64
		r int
	}
	var cols []col
	for _, d := range g.DecodeRatios {
		for _, r := range g.Recents {
			cols = append(cols, col{d, r})
			head = append(head, fmt.Sprintf("D=%s R=%d", frac(d), r))
		}
	}
	mdHeader(w, head...)
	for _, v := range g.Variants() {
		for _, p := range g.DecodePolicies {
			row := []string{policyLabel(p) + v}
			for _, c := range cols {
				row = append(row, percentCell(accuracyOf(set, policyRun(p, c.d, c.r)+v)))
			}
			mdRowIfAny(w, row, 1)
		}
		for _, pr := range g.Plugins {
			row := []string{g.pluginLabel(pr) + v}
			for _, c := range cols {
				val := math.NaN()
				if c.r == g.PluginRecent {
					val = accuracyOf(set, g.pluginRun(pr, c.d)+v)
				}
				row = append(row, percentCell(val))
			}
			mdRowIfAny(w, row, 1)
		}
	}
	fmt.Fprintln(w)
}

// writeCostTable lists every run of the set with its budgets, accuracy, the decode entries
// it held (peak and mean per layer and unit, beyond P_l), its peak KV bytes and its
// refresh work.
func writeCostTable(w io.Writer, set *RecallSet, g Grid) {
	mdHeader(w, "run", "mean P_l", "D (nominal)", "acc.", "early/mid/late", "peak decode", "mean decode",
		"units", "peak KV bytes", "rebuilds", "evicting", "bytes copied")
	for i := range set.Runs {
		r := &set.Runs[i]
		md(w, r.Spec.Name, fmt.Sprintf("%.1f", r.KV.PrefillKept), budgetCell(r.Budget), percentCell(r.Accuracy), thirds(r),
			fmt.Sprintf("%.1f", r.KV.PeakDecode), fmt.Sprintf("%.1f", r.KV.MeanDecode), fmt.Sprint(r.KV.Units),
			fmt.Sprintf("%.0f", r.KV.PeakBytes), fmt.Sprintf("%.0f", r.KV.Rebuilds),
			fmt.Sprintf("%.0f", r.KV.EvictingRebuilds), fmt.Sprintf("%.0f", r.KV.BytesCopied))
	}
	fmt.Fprintln(w)
}

// budgetCell prints D, with the nominal D it was lowered from for equal peak memory.
func budgetCell(b Budget) string {
	switch {
	case b.D == 0:
		return "–"
	case b.NominalD != 0:
		return fmt.Sprintf("%d (%d)", b.D, b.NominalD)
	}
	return fmt.Sprint(b.D)
}

// WriteFidelitySummary writes a Markdown table of a fidelity sweep.
func WriteFidelitySummary(w io.Writer, sw *FidelitySweep) {
	fmt.Fprintf(w, "#### %s: %d prompt(s), N=%d, T=%d\n\n", sw.Model, sw.Prompts, sw.PromptLen, sw.MaxTokens)
	mdHeader(w, "run", "D", "R", "peak decode", "mean decode", "ref tokens", "prefix", "agreement", "forced top-1",
		"mean KL", "max KL", "rebuilds", "tok/s")
	for _, r := range sw.Runs {
		ref := 0
		for _, p := range r.Prompts {
			ref += p.RefTokens
		}
		md(w, r.Spec.Name, fmt.Sprint(r.Budget.D), fmt.Sprint(r.Budget.R), fmt.Sprintf("%.1f", r.KV.PeakDecode),
			fmt.Sprintf("%.1f", r.KV.MeanDecode), fmt.Sprint(ref), fmt.Sprintf("%.1f", r.Prefix),
			percentCell(r.Agreement), percentCell(r.ForcedTop1), fmt.Sprintf("%.4f", r.MeanKL), fmt.Sprintf("%.3f", r.MaxKL),
			fmt.Sprintf("%.0f", r.KV.Rebuilds), fmt.Sprintf("%.0f", r.Timing.GenTokensPerSec))
	}
	fmt.Fprintln(w)
}

// WriteDriftTable writes the drift probe as a Markdown table.
func WriteDriftTable(w io.Writer, d Drift) {
	mdHeader(w, "layer", "step", "top keys", "top in decoded (%)", fmt.Sprintf("top in newest %d (%%)", d.Recent),
		"overlap with step 1", "attention on decoded (%)", fmt.Sprintf("on decoded older than %d (%%)", d.Recent),
		"decoded keys for 80% of it", "prompts")
	for _, l := range d.Layers {
		for i, st := range l.Steps {
			md(w, fmt.Sprint(l.Layer), fmt.Sprint(st), fmt.Sprintf("%.1f", l.TopKeys[i]), percentCell(l.DecodedFraction[i]),
				percentCell(l.RecentFraction[i]), fmt.Sprintf("%.3f", l.Overlap[i]), percentCell(l.DecodedMass[i]),
				percentCell(l.OldDecodedMass[i]), fmt.Sprintf("%.1f", l.DecodedCover[i]), fmt.Sprint(l.Prompts[i]))
		}
	}
	fmt.Fprintln(w)
}
