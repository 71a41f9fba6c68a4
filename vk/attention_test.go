//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"
	"testing"

	"github.com/scopekv/scope/internal/backend"
)

// attnScene is a filled paged KV store on both sides: units with their page tables, every
// table slot i of unit u holding position i (some evicted or never written).
type attnScene struct {
	l      backend.KVLayout
	kv     tkv
	tables [][]int32
	length int // positions 0..length-1 exist
}

// newAttnScene fills pagesPerUnit pages per unit, in a scattered page order, through
// KVWrite, then evicts every 7th position and leaves the last page of unit 0 half empty.
func newAttnScene(tw *twin, units, pagesPerUnit, pageSize, headDim int) *attnScene {
	l := backend.KVLayout{NumPages: units*pagesPerUnit + 3, PageSize: pageSize, HeadDim: headDim}
	sc := &attnScene{l: l, kv: tw.kv(l), length: pagesPerUnit * pageSize}
	for u := 0; u < units; u++ {
		var table []int32
		for i := 0; i < pagesPerUnit; i++ {
			table = append(table, int32((i*units+u)*7%(l.NumPages-3)+2)%int32(l.NumPages))
		}
		sc.tables = append(sc.tables, table)
	}
	// Token t goes to table slot t of every unit, written in batches of 4 tokens (small
	// buffers, so that devices with a lowered descriptor range take them too).
	const batch = 4
	var evict []int32
	for t0 := 0; t0 < sc.length; t0 += batch {
		n := min(batch, sc.length-t0)
		k, v := tw.buf(tw.randn(n*units*headDim, 1)), tw.buf(tw.randn(n*units*headDim, 1))
		slots := make([]int32, n*units)
		pos := make([]int32, n)
		for i := 0; i < n; i++ {
			t := t0 + i
			pos[i] = int32(t)
			for u := 0; u < units; u++ {
				s := sc.tables[u][t/pageSize]*int32(pageSize) + int32(t%pageSize)
				switch {
				case u == 0 && t >= sc.length-pageSize/2:
					s = -1 // never written: stays empty
				case t%7 == 3:
					evict = append(evict, s)
				}
				slots[i*units+u] = s
			}
		}
		tw.run(func(s int) []backend.Op {
			return []backend.Op{backend.KVWrite{KV: sc.kv[s], K: k[s], V: v[s], N: n, NKVHeads: units, UnitsPerKVHead: 1, Slots: slots, Pos: pos}}
		})
	}
	neg := make([]int32, len(evict))
	for i := range neg {
		neg[i] = -1
	}
	tw.run(func(s int) []backend.Op {
		return []backend.Op{backend.KVSetPos{KV: sc.kv[s], Slots: evict, Pos: neg}}
	})
	return sc
}

func TestAttention(t *testing.T) {
	cases := []struct {
		name                          string
		nHeads, units, headDim, pages int
		pageSize, n, scoreRows        int
		scores, chunked               bool
		row                           int // the op's first row of Q and Out
	}{
		{"prefill gqa", 6, 2, 64, 5, 4, 7, 0, true, false, 0},
		{"prefill faithful", 4, 4, 40, 3, 8, 9, 0, false, false, 0},
		{"prefill tiles", 2, 1, 64, 12, 4, 40, 16, true, false, 0},
		{"prefill hd256", 2, 2, 256, 4, 4, 11, 0, false, false, 0},
		{"prefill odd hd", 3, 3, 33, 5, 3, 13, 50, true, false, 0},
		{"decode split", 4, 2, 64, 90, 4, 1, 0, true, false, 0},
		{"decode split hd128", 2, 1, 128, 70, 16, 1, 0, true, false, 0},
		{"decode hd256", 2, 2, 256, 3, 16, 2, 2, true, false, 0},
		{"decode odd hd", 3, 1, 33, 40, 3, 1, 0, true, false, 0},
		{"chunked prefill", 2, 2, 64, 6, 4, 2, 2, true, true, 0},
		{"chunked decode", 2, 2, 64, 10, 4, 1, 0, true, true, 0},
		{"decode split at row 3", 3, 1, 33, 40, 3, 1, 0, true, false, 3},
		{"decode at row 3", 4, 2, 40, 3, 5, 1, 0, true, false, 3},
		{"prefill at row 2", 3, 3, 33, 5, 3, 5, 2, true, false, 2},
		{"prefill tiles at row 2", 2, 1, 64, 6, 4, 5, 3, true, false, 2},
		{"chunked prefill at row 1", 2, 2, 64, 6, 4, 3, 2, true, true, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := sharedDevice(t)
			if c.chunked {
				d = openOrSkip(t, Options{DeviceIndex: -1, Validation: true, maxRange: int64(3 * c.pageSize * c.headDim * 4)})
			}
			tw := newTwin(t, d)
			sc := newAttnScene(tw, c.units, c.pages, c.pageSize, c.headDim)
			if c.chunked && len(sc.kv[1].(*kvStore).k) < 3 {
				t.Fatalf("only %d KV chunks", len(sc.kv[1].(*kvStore).k))
			}
			rows := c.row + c.n
			q := tw.buf(tw.randn(rows*c.nHeads*c.headDim, 1))
			out := tw.buf(tw.randn(rows*c.nHeads*c.headDim, 1)) // rows before Row keep their values
			qpos := make([]int32, c.n)
			for i := range qpos {
				qpos[i] = int32(sc.length - c.n + i) // causal: the last n positions
			}
			stride := c.pages*c.pageSize + 5
			var scores tbuf
			if c.scores {
				scores = tw.buf(tw.randn(c.nHeads*stride, 1)) // entries beyond the table keep their values
			}
			tw.run(func(s int) []backend.Op {
				op := backend.Attention{Q: q[s], Out: out[s], KV: sc.kv[s], Row: c.row, N: c.n, NHeads: c.nHeads, Units: c.units,
					HeadDim: c.headDim, QPos: qpos, Tables: sc.tables}
				if c.scores {
					op.Scores, op.ScoreStride, op.ScoreRows = scores[s], stride, c.scoreRows
				}
				return []backend.Op{op}
			})
			tw.compare("attention", out, tolF32)
			if c.scores {
				tw.compare("scores", scores, tolF32)
			}
		})
	}
}

// TestAttentionEdges covers a query that sees no slot (output 0), an empty table, an
// explicit scale and Out aliasing Q.
func TestAttentionEdges(t *testing.T) {
	tw := newTwin(t, sharedDevice(t))
	sc := newAttnScene(tw, 2, 4, 4, 32)
	q := tw.buf(tw.randn(3*2*32, 1))
	out := tw.zeros(3 * 2 * 32)
	tables := [][]int32{sc.tables[0], {}}
	qpos := []int32{-1, 0, 9}
	scores := tw.zeros(2 * 20)
	tw.run(func(s int) []backend.Op {
		return []backend.Op{
			backend.Attention{Q: q[s], Out: out[s], KV: sc.kv[s], N: 3, NHeads: 2, Units: 2, HeadDim: 32,
				QPos: qpos, Tables: tables, Scale: 0.3, Scores: scores[s], ScoreStride: 20},
			backend.Attention{Q: q[s], Out: q[s], KV: sc.kv[s], N: 3, NHeads: 2, Units: 2, HeadDim: 32,
				QPos: qpos, Tables: sc.tables, Scores: scores[s], ScoreStride: 20},
		}
	})
	tw.compare("edges", out, tolF32)
	tw.compare("aliased", q, tolF32)
	tw.compare("edge scores", scores, tolF32)
	for _, bad := range []backend.Attention{
		{N: 1, NHeads: 3, Units: 2, HeadDim: 32},
		{N: 1, NHeads: 2, Units: 2, HeadDim: 16},
		{N: 1, NHeads: 2, Units: 2, HeadDim: 32, QPos: []int32{0}, Tables: [][]int32{{99}, {}}},
		{Row: 3, N: 1, NHeads: 2, Units: 2, HeadDim: 32, QPos: []int32{0}, Tables: sc.tables}, // rows 3..3 past Q's 3
		{Row: -1, N: 1, NHeads: 2, Units: 2, HeadDim: 32, QPos: []int32{0}, Tables: sc.tables},
	} {
		bad.Q, bad.Out, bad.KV = q[1], out[1], sc.kv[1]
		if err := tw.dev[1].Run(t.Context(), []backend.Op{bad}); err == nil {
			t.Errorf("bad attention %s accepted", fmt.Sprint(bad.Row, bad.NHeads, bad.Units, bad.HeadDim))
		}
	}
}
