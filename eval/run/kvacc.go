package run

import "github.com/scopekv/scope/scope"

// kvAcc averages the KV accounting of several prompts.
type kvAcc struct {
	n             int
	sum           KVSummary
	delta, period int
	stepSum       []float64 // attended entries per layer and KV head, summed over prompts
	stepCount     []int     // prompts that reached each step
}

func (a *kvAcc) add(rep *scope.Report) {
	a.n++
	perHead := float64(max(1, len(rep.Layers)) * max(1, rep.Units))
	a.delta, a.period = rep.Delta, rep.Period
	k := &a.sum
	k.PrefillKept += mean(rep.PrefillKept)
	k.PeakLayerEntries += float64(rep.PeakLayerEntries)
	k.PeakDecode += float64(rep.PeakDecodeEntries)
	k.MeanDecode += rep.MeanDecodeEntries
	k.Units = rep.Units
	for _, p := range rep.PrefillKept {
		k.PeakBytes += float64(int64(p+rep.PeakDecodeEntries) * int64(rep.Units) * rep.SlotSize)
	}
	k.Rebuilds += float64(rep.Rebuilds)
	k.EvictingRebuilds += float64(rep.EvictingRebuilds)
	k.Evictions += float64(rep.Evictions)
	k.SlotsCompacted += float64(rep.SlotsCompacted)
	for _, l := range rep.Layers {
		k.BytesCopied += float64(l.BytesCopied)
	}
	var total float64
	for i, e := range rep.StepEntries {
		if i == len(a.stepSum) {
			a.stepSum, a.stepCount = append(a.stepSum, 0), append(a.stepCount, 0)
		}
		a.stepSum[i] += float64(e) / perHead
		a.stepCount[i]++
		total += float64(e) / perHead
	}
	if len(rep.StepEntries) > 0 {
		k.MeanEntries += total / float64(len(rep.StepEntries))
	}
}

// summary returns the means over the prompts added (zero when none).
func (a *kvAcc) summary() KVSummary {
	if a.n == 0 {
		return KVSummary{}
	}
	n, k := float64(a.n), a.sum
	return KVSummary{Delta: a.delta, Period: a.period, PrefillKept: k.PrefillKept / n,
		PeakLayerEntries: k.PeakLayerEntries / n, PeakDecode: k.PeakDecode / n, MeanDecode: k.MeanDecode / n,
		Units: k.Units, PeakBytes: k.PeakBytes / n, MeanEntries: k.MeanEntries / n, Rebuilds: k.Rebuilds / n,
		EvictingRebuilds: k.EvictingRebuilds / n, Evictions: k.Evictions / n, BytesCopied: k.BytesCopied / n,
		SlotsCompacted: k.SlotsCompacted / n}
}

// steps returns the mean attended entries per step over the prompts that reached it.
func (a *kvAcc) steps() []float64 {
	out := make([]float64, len(a.stepSum))
	for i := range a.stepSum {
		out[i] = a.stepSum[i] / float64(a.stepCount[i])
	}
	return out
}

func mean(v []int) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0
	for _, x := range v {
		s += x
	}
	return float64(s) / float64(len(v))
}
