// Package ref is the scalar reference of every op and of a whole forward pass: plain loops,
// float32 arithmetic in a fixed order, written to be read. Every other backend is tested
// against it.
package ref

import "math"

// MatVec: out[r] = sum_k w[r*cols+k] * x[k].      w: (rows, cols), x: (cols), out: (rows)
func MatVec(out, w, x []float32, rows, cols int) {
	for r := 0; r < rows; r++ {
		row := w[r*cols : (r+1)*cols]
		var sum float32
		for k, v := range row {
			sum += v * x[k]
		}
		out[r] = sum
	}
}

// RMSNorm: out = x * w / sqrt(mean(x^2) + eps).    x, w, out: (n)
func RMSNorm(out, x, w []float32, eps float32) {
	var ss float32
	for _, v := range x {
		ss += v * v
	}
	ss /= float32(len(x))
	ss += eps
	scale := 1 / float32(math.Sqrt(float64(ss)))
	for i := range x {
		out[i] = w[i] * (scale * x[i])
	}
}

// RoPE rotates one token's heads in place at position pos.   x: (nHeads, headDim)
// Normal layout rotates pairs (2i, 2i+1); NeoX rotates (i, i+ropeDim/2). The angle of pair
// i is pos / (base^(2i/ropeDim) * factors[i]).
func RoPE(x []float32, nHeads, headDim, ropeDim int, pos int32, neox bool, base float32, factors []float32) {
	half := ropeDim / 2
	for h := 0; h < nHeads; h++ {
		head := x[h*headDim : (h+1)*headDim]
		for i := 0; i < half; i++ {
			freq := 1 / math.Pow(float64(base), float64(2*i)/float64(ropeDim))
			if factors != nil {
				freq /= float64(factors[i])
			}
			angle := float64(pos) * freq
			c, s := float32(math.Cos(angle)), float32(math.Sin(angle))
			a, b := 2*i, 2*i+1
			if neox {
				a, b = i, i+half
			}
			x0, x1 := head[a], head[b]
			head[a] = x0*c - x1*s
			head[b] = x0*s + x1*c
		}
	}
}

// Softmax normalises x in place (max-subtracted, float32 exp).
func Softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	maxv := x[0]
	for _, v := range x[1:] {
		if v > maxv {
			maxv = v
		}
	}
	var sum float32
	for i, v := range x {
		e := float32(math.Exp(float64(v - maxv)))
		x[i] = e
		sum += e
	}
	for i := range x {
		x[i] /= sum
	}
}

// SiLU is x * sigmoid(x).
func SiLU(x float32) float32 { return x / (1 + float32(math.Exp(float64(-x)))) }

// SwiGLU: out[i] = silu(gate[i]) * up[i].
func SwiGLU(out, gate, up []float32) {
	for i := range out {
		out[i] = SiLU(gate[i]) * up[i]
	}
}

// Argmax returns the index of the first largest value.
func Argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
