package quant

import "math"

// The scale searches of ggml's K-quant reference quantisers (ggml-quants.c: nearest_int,
// make_qx_quants, make_q3_quants, make_qkx2_quants), restricted to the arguments the
// *_ref quantisers pass. Every sum is accumulated in float32 in the same order; products
// that feed an addition are rounded first with an explicit float32() so the compiler does
// not fuse them, which keeps the chosen levels (and so the bytes) identical.

// groupMaxEps is ggml's GROUP_MAX_EPS: a group whose largest magnitude is below it is zero.
const groupMaxEps = 1e-15

// nearestInt rounds to the nearest integer, ties to even, exactly as ggml's nearest_int:
// adding 1.5*2^23 leaves the integer in the low mantissa bits. Valid for |f| <= 4194303.
func nearestInt(f float32) int32 {
	v := float32(f) + 12582912 // the conversion keeps a caller's product from fusing
	return int32(math.Float32bits(v)&0x007fffff) - 0x00400000
}

func clampInt(v, lo, hi int32) int32 { return max(lo, min(hi, v)) }

// signedMax returns the element with the largest magnitude (first on ties) and its
// magnitude, as the K-quant searches scan for it.
func signedMax(x []float32) (amax, vmax float32) {
	for _, v := range x {
		if a := abs32(v); a > amax {
			amax, vmax = a, v
		}
	}
	return amax, vmax
}

// makeQX is make_qx_quants with rmse_type 1 and no importance weights (weights x²): it
// picks levels L in [0, 2*nmax) for a symmetric scale and returns the scale.
func makeQX(nmax int32, x []float32, L []int8) float32 {
	amax, vmax := signedMax(x)
	if amax < groupMaxEps {
		clear(L[:len(x)])
		return 0
	}
	iscale := float32(-nmax) / vmax
	sumlx, suml2 := qxSums(nmax, iscale, x, L)
	var scale float32
	if suml2 != 0 {
		scale = sumlx / suml2
	}
	best := scale * sumlx
	for is := int32(-9); is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale = -(float32(nmax) + float32(0.1*float32(is))) / vmax
		sumlx, suml2 = qxSums(nmax, iscale, x, nil)
		if suml2 > 0 && sumlx*sumlx > best*suml2 {
			qxSums(nmax, iscale, x, L)
			scale = sumlx / suml2
			best = scale * sumlx
		}
	}
	return scale
}

// qxSums quantises x with iscale into [-nmax, nmax-1] and returns the x²-weighted sums
// Σw·x·l and Σw·l²; it stores l+nmax into L when L is not nil.
func qxSums(nmax int32, iscale float32, x []float32, L []int8) (sumlx, suml2 float32) {
	for i, v := range x {
		l := clampInt(nearestInt(iscale*v), -nmax, nmax-1)
		if L != nil {
			L[i] = int8(l + nmax)
		}
		w := v * v
		fl := float32(l)
		sumlx += float32(w * v * fl)
		suml2 += float32(w * fl * fl)
	}
	return sumlx, suml2
}

// makeQ3 is make_q3_quants with do_rmse: a symmetric scale refined by moving single
// levels while the weighted error drops. Levels are stored as l+nmax.
func makeQ3(nmax int32, x []float32, L []int8) float32 {
	amax, vmax := signedMax(x)
	if amax < groupMaxEps {
		clear(L[:len(x)])
		return 0
	}
	iscale := float32(-nmax) / vmax
	var sumlx, suml2 float32
	for i, v := range x {
		l := clampInt(nearestInt(iscale*v), -nmax, nmax-1)
		L[i] = int8(l)
		w, fl := v*v, float32(l)
		sumlx += float32(w * v * fl)
		suml2 += float32(w * fl * fl)
	}
	for itry := 0; itry < 5; itry++ {
		changed := false
		for i, v := range x {
			w, cur := v*v, float32(L[i])
			slx := sumlx - float32(w*v*cur)
			if !(slx > 0) {
				continue
			}
			sl2 := suml2 - float32(w*cur*cur)
			nl := clampInt(nearestInt(v*sl2/slx), -nmax, nmax-1)
			if nl == int32(L[i]) {
				continue
			}
			fl := float32(nl)
			slx += float32(w * v * fl)
			sl2 += float32(w * fl * fl)
			if sl2 > 0 && slx*slx*suml2 > sumlx*sumlx*sl2 {
				L[i], sumlx, suml2 = int8(nl), slx, sl2
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	for i := range x {
		L[i] += int8(nmax)
	}
	if suml2 > 0 {
		return sumlx / suml2
	}
	return 0
}

// makeQKX2 is make_qkx2_quants: an asymmetric scale and min (x ≈ scale*l - theMin with l in
// [0, nmax]) for weighted x, first from the range, then by nstep+1 least-squares fits over
// slightly stretched grids, keeping the fit with the lowest weighted error (absolute when
// useMAD, else squared). laux is scratch of len(x).
func makeQKX2(nmax int32, x, weights []float32, L, laux []uint8, rmin, rdelta float32, nstep int32, useMAD bool) (scale, theMin float32) {
	lo, hi := x[0], x[0]
	sumW := weights[0]
	sumX := float32(sumW * x[0])
	for i := 1; i < len(x); i++ {
		if x[i] < lo {
			lo = x[i]
		}
		if x[i] > hi {
			hi = x[i]
		}
		w := weights[i]
		sumW += w
		sumX += float32(w * x[i])
	}
	if lo > 0 {
		lo = 0
	}
	if hi == lo {
		clear(L[:len(x)])
		return 0, -lo
	}
	iscale := float32(nmax) / (hi - lo)
	scale = 1 / iscale
	qkx2Levels(nmax, iscale, lo, x, L)
	bestErr := qkx2Error(scale, lo, x, weights, L, useMAD)
	for is := int32(0); is <= nstep; is++ {
		iscale = (rmin + float32(rdelta*float32(is)) + float32(nmax)) / (hi - lo)
		qkx2Levels(nmax, iscale, lo, x, laux)
		var sumL, sumL2, sumXL float32
		for i, v := range x {
			w, fl := weights[i], float32(laux[i])
			sumL += float32(w * fl)
			sumL2 += float32(w * fl * fl)
			sumXL += float32(w * fl * v)
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if !(D > 0) {
			continue
		}
		thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
		thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
		if thisMin > 0 {
			thisMin = 0
			thisScale = sumXL / sumL2
		}
		if e := qkx2Error(thisScale, thisMin, x, weights, laux, useMAD); e < bestErr {
			copy(L[:len(x)], laux[:len(x)])
			bestErr, scale, lo = e, thisScale, thisMin
		}
	}
	return scale, -lo
}

// qkx2Levels stores clamp(nearest(iscale*(x-lo)), 0, nmax) into L. As in ggml, later trial
// grids start from the best min found so far, not from the range minimum.
func qkx2Levels(nmax int32, iscale, lo float32, x []float32, L []uint8) {
	for i, v := range x {
		L[i] = uint8(clampInt(nearestInt(iscale*(v-lo)), 0, nmax))
	}
}

// qkx2Error is the weighted error of x against scale*L + lo.
func qkx2Error(scale, lo float32, x, weights []float32, L []uint8, useMAD bool) float32 {
	var e float32
	for i, v := range x {
		diff := float32(scale*float32(L[i])) + lo - v
		if useMAD {
			diff = abs32(diff)
		} else {
			diff = diff * diff
		}
		e += float32(weights[i] * diff)
	}
	return e
}
