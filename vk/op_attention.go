//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"
	"math"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/shaders"
)

// splitTarget is roughly how many slots one attention workgroup handles when the cache is
// split for decoding; splitMinGroups is the (token, head) count from which no split is made.
const (
	splitTarget    = 256
	splitMinGroups = 128
)

func checkAttention(kv *kvStore, o *backend.Attention) error {
	switch {
	case o.NHeads <= 0 || o.Units <= 0 || o.NHeads%o.Units != 0:
		return fmt.Errorf("NHeads %d, Units %d", o.NHeads, o.Units)
	case o.HeadDim != kv.l.HeadDim:
		return fmt.Errorf("HeadDim %d, KV head dim %d", o.HeadDim, kv.l.HeadDim)
	case o.HeadDim > shaders.MaxHeadDim:
		return unsupported("head dimension %d (at most %d)", o.HeadDim, shaders.MaxHeadDim)
	case o.Row < 0:
		return fmt.Errorf("Row %d", o.Row)
	case len(o.QPos) < o.N:
		return fmt.Errorf("%d query positions for %d tokens", len(o.QPos), o.N)
	case len(o.Tables) < o.Units:
		return fmt.Errorf("%d page tables for %d units", len(o.Tables), o.Units)
	}
	for u, table := range o.Tables[:o.Units] {
		for _, pg := range table {
			if pg < 0 || int(pg) >= kv.l.NumPages {
				return fmt.Errorf("unit %d: page %d out of range [0,%d)", u, pg, kv.l.NumPages)
			}
		}
		if o.Scores != nil && len(table)*kv.l.PageSize > o.ScoreStride {
			return fmt.Errorf("unit %d: %d table slots exceed ScoreStride %d", u, len(table)*kv.l.PageSize, o.ScoreStride)
		}
	}
	return nil
}

// uploadTables writes (start, pages) per unit followed by the tables; it returns the
// header's offset and the longest table.
func (p *plan) uploadTables(tables [][]int32) (uint32, int) {
	hdr := p.upload(make([]uint32, 2*len(tables)))
	longest := 0
	for u, t := range tables {
		p.arena[hdr+uint32(2*u)] = uint32(len(p.arena))
		p.arena[hdr+uint32(2*u)+1] = uint32(len(t))
		p.uploadInts(t)
		longest = max(longest, len(t))
	}
	return hdr, longest
}

func (d *Device) planAttention(p *plan, o backend.Attention) error {
	if o.N <= 0 {
		return nil
	}
	kv, err := d.ownKV(o.KV)
	if err != nil {
		return err
	}
	if err := checkAttention(kv, &o); err != nil {
		return err
	}
	// Q and Out hold the op's rows Row..Row+N-1.
	a, err := d.operands((o.Row+o.N)*o.NHeads*o.HeadDim, []backend.Buffer{o.Q, o.Out}, "Q", "Out")
	if err != nil {
		return err
	}
	scale := o.Scale
	if scale == 0 {
		scale = float32(1 / math.Sqrt(float64(o.HeadDim)))
	}
	tabOff, longest := p.uploadTables(o.Tables[:o.Units])
	qposOff := p.uploadInts(o.QPos[:o.N])
	// Scores first: it reads Q, which Out may alias.
	if o.Scores != nil {
		if err := d.planScores(p, kv, &o, a[0], tabOff, qposOff, scale); err != nil {
			return err
		}
	}
	if o.N > 1 {
		if bq, bk, ok := prefillTile(o.HeadDim, d.phys.maxSharedMemory); ok {
			d.planPrefill(p, kv, &o, a, tabOff, qposOff, scale, bq, bk)
			return nil
		}
	}
	pps, splits := longest, 1
	if o.N*o.NHeads < splitMinGroups {
		pps = max(1, ceilDiv(splitTarget, kv.l.PageSize))
		splits = max(1, ceilDiv(longest, pps))
	}
	pps = max(pps, 1)
	lim := d.phys.maxGroupCount
	if splits > int(lim[0]) || o.NHeads > int(lim[1]) || o.N > int(lim[2]) {
		return unsupported("attention grid (%d, %d, %d)", splits, o.NHeads, o.N)
	}
	part, err := d.scratchArray("attention", o.N*o.NHeads*splits*(o.HeadDim+2))
	if err != nil {
		return err
	}
	push := shaders.AttnPush{N: uint32(o.N), Row: uint32(o.Row), NHeads: uint32(o.NHeads), Units: uint32(o.Units),
		HeadDim: uint32(o.HeadDim), PageSize: uint32(kv.l.PageSize), SlotsPerChunk: uint32(kv.slotsPerChunk),
		NChunks: uint32(len(kv.k)), TabOff: tabOff, QposOff: qposOff,
		PagesPerSplit: uint32(pps), NSplits: uint32(splits), Scale: scale}
	descs := []desc{rd(a[0]), arenaDesc()}
	descs = append(descs, chunkDescs(kv.k, false)...)
	descs = append(descs, chunkDescs(kv.v, false)...)
	descs = append(descs, rd(kv.pos), wr(part), wr(a[1]))
	add(p, "attn_split_f32", &push, [3]uint32{uint32(splits), uint32(o.NHeads), uint32(o.N)}, descs...)
	if splits > 1 {
		rp := shaders.AttnReducePush{N: uint32(o.N), Row: uint32(o.Row), NHeads: uint32(o.NHeads), HeadDim: uint32(o.HeadDim), NSplits: uint32(splits)}
		add(p, "attn_reduce_f32", &rp, [3]uint32{uint32(o.NHeads), uint32(o.N), 1}, rd(part), wr(a[1]))
	}
	return nil
}

// prefillTile picks the prefill kernel's queries per workgroup (BQ, dividing 64) and
// slots per batch (BK) so that its shared memory fits the device and each thread keeps at
// most 32 accumulators.
func prefillTile(headDim, maxShared int) (bq, bk int, ok bool) {
	for _, t := range [][2]int{{16, 16}, {8, 8}, {4, 4}} {
		bq, bk = t[0], t[1]
		shared := ((bq+2*bk)*headDim + bq*bk + bq + 2*bk) * 4
		if shared <= maxShared && headDim <= 32*(64/bq) {
			return bq, bk, true
		}
	}
	return 0, 0, false
}

func (d *Device) planPrefill(p *plan, kv *kvStore, o *backend.Attention, a []allocation, tabOff, qposOff uint32, scale float32, bq, bk int) {
	push := shaders.AttnPrefillPush{N: uint32(o.N), Row: uint32(o.Row), NHeads: uint32(o.NHeads), Units: uint32(o.Units),
		PageSize: uint32(kv.l.PageSize), SlotsPerChunk: uint32(kv.slotsPerChunk), TabOff: tabOff,
		QposOff: qposOff, Scale: scale}
	descs := []desc{rd(a[0]), arenaDesc()}
	descs = append(descs, chunkDescs(kv.k, false)...)
	descs = append(descs, chunkDescs(kv.v, false)...)
	descs = append(descs, rd(kv.pos), wr(a[1]))
	add(p, "attn_prefill_f32", &push, [3]uint32{uint32(ceilDiv(o.N, bq)), uint32(o.NHeads), 1}, descs...)
	p.withSpec(uint32(o.HeadDim), uint32(bq), uint32(bk))
}

func (d *Device) planScores(p *plan, kv *kvStore, o *backend.Attention, q allocation, tabOff, qposOff uint32, scale float32) error {
	if o.ScoreStride <= 0 {
		return fmt.Errorf("ScoreStride %d", o.ScoreStride)
	}
	scores, err := d.operand(o.Scores, o.NHeads*o.ScoreStride, "Scores")
	if err != nil {
		return err
	}
	tmp, err := d.scratchArray("scores", o.NHeads*o.ScoreStride)
	if err != nil {
		return err
	}
	rows := min(max(o.ScoreRows, 1), o.N)
	push := shaders.AttnScoresPush{NHeads: uint32(o.NHeads), Units: uint32(o.Units), HeadDim: uint32(o.HeadDim),
		PageSize: uint32(kv.l.PageSize), SlotsPerChunk: uint32(kv.slotsPerChunk), NChunks: uint32(len(kv.k)),
		TabOff: tabOff, QposOff: qposOff, Row: uint32(o.Row), Row0: uint32(o.N - rows), NRows: uint32(rows),
		ScoreStride: uint32(o.ScoreStride), Scale: scale}
	descs := []desc{rd(q), arenaDesc()}
	descs = append(descs, chunkDescs(kv.k, false)...)
	descs = append(descs, rd(kv.pos), wr(scores), wr(tmp))
	add(p, "attn_scores_f32", &push, [3]uint32{uint32(o.NHeads), 1, 1}, descs...)
	return nil
}
