package cpu

import (
	"math"

	"github.com/scopekv/scope/model/quant"
)

// attendGroup computes every query head of unit u for token t at once. The unit's K pages
// are matrices of PageSize rows, so the group's logits come from the float matrix kernel
// (one call per page, each K row read once for all heads of the group), and each V row is
// read once while it adds into every head's output. logits is scratch for group*slots, a
// the worker's activation descriptor (reused, so a step allocates nothing here).
func (d *Device) attendGroup(j *attnJob, t, u int, logits []float32, a *act) {
	o, kv := &j.o, j.kv
	hd, ps, g := o.HeadDim, kv.layout.PageSize, j.group
	table := o.Tables[u]
	n := len(table) * ps
	logits = logits[:g*n]
	base := (t*o.NHeads + u*g) * hd
	q, dst := j.q[base:base+g*hd], j.out[base:base+g*hd]
	*a = act{n: g, cols: hd, f32: q}
	kern := d.k.mat[quant.F32]
	for i, p := range table {
		page := kv.k[int(p)*ps*hd : (int(p)+1)*ps*hd]
		kern(f32Bytes(page), ps, a, 0, g, logits[i*ps:], n)
	}
	qpos := o.QPos[t]
	negInf := float32(math.Inf(-1))
	live := false
	for h := 0; h < g; h++ {
		row := logits[h*n : (h+1)*n]
		maxv := negInf
		for i := range row {
			s := int(table[i/ps])*ps + i%ps
			if p := kv.pos[s]; p < 0 || p > qpos {
				row[i] = negInf // excluded: exp gives exactly 0
				continue
			}
			row[i] *= j.scale
			maxv = max(maxv, row[i])
		}
		if math.IsInf(float64(maxv), -1) {
			clear(row) // no live slot: zero output
			continue
		}
		live = true
		inv := 1 / d.k.expSum(row, maxv)
		for i := range row {
			row[i] *= inv
		}
	}
	clear(dst)
	if !live {
		return
	}
	for i, p := range table {
		page := kv.v[int(p)*ps*hd : (int(p)+1)*ps*hd]
		d.k.pv(dst, logits[i*ps:], n, page, g, ps, hd)
	}
}

// pvWith builds kernelSet.pv from an axpy, skipping zero probabilities.
func pvWith(axpy func(y []float32, a float32, x []float32)) func(dst, p []float32, ldp int, v []float32, g, n, hd int) {
	return func(dst, p []float32, ldp int, v []float32, g, n, hd int) {
		for i := 0; i < n; i++ {
			row := v[i*hd : (i+1)*hd]
			for h := 0; h < g; h++ {
				if w := p[h*ldp+i]; w != 0 {
					axpy(dst[h*hd:(h+1)*hd], w, row)
				}
			}
		}
	}
}
