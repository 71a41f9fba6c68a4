package cpu

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// act holds the activation rows of one matrix product in the form its weight type's
// kernels read: float32 rows for float weights, or rows quantised once to Q8_0 / Q8_K.
type act struct {
	n, cols int
	f32     []float32 // (n, cols) float activations
	qs      []int8    // (n, cols) quantised values
	d       []float32 // (n, cols/blockSize) block scales
	bsums   []int16   // (n, cols/16) sums of 16 quantised values (Q8_K only)
	xsum    []int32   // (n, cols/32) sums of each block's quantised values (Q8_0 only)
}

// matKernel computes out[t*ldo+r] = W[r]·X[t0+t] for r < rows and t < nt, where w holds
// exactly the rows' bytes in GGUF layout. Callers validate every size.
type matKernel func(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int)

// packedMat is a matKernel for a weight in an interleaved layout (pack.go): pw holds
// groups*packRows rows.
type packedMat func(pw []byte, groups int, a *act, t0, nt int, out []float32, ldo int)

// actKind says how a weight type wants its activations.
type actKind int

const (
	actF32  actKind = iota // float32 rows
	actQ8_0                // Q8_0 blocks of 32
	actQ8K                 // Q8_K blocks of 256 with 16-element sums
)

// kernelSet is one implementation path's kernels.
type kernelSet struct {
	name     string // path name: "generic", "avx2", "avx512"
	features string // what the path uses, for Caps().Name

	dot   func(a, b []float32) float32              // sum a[i]*b[i], len(a) == len(b)
	axpy  func(y []float32, a float32, x []float32) // y[i] += a*x[i], len(x) == len(y)
	sumSq func(x []float32) float32                 // sum x[i]^2

	expSum func(x []float32, m float32) float32 // x[i] = exp(x[i]-m); returns the sum
	swiGLU func(out, gate, up []float32)        // out[i] = silu(gate[i]) * up[i]
	// pv adds, for g heads, dst[h*hd:(h+1)*hd] += sum over i < n of p[h*ldp+i]*v[i*hd:(i+1)*hd]
	pv func(dst, p []float32, ldp int, v []float32, g, n, hd int)

	quantQ8_0 func(x []float32, qs []int8, d []float32)                // len(x) % 32 == 0
	quantQ8K  func(x []float32, qs []int8, d []float32, bsums []int16) // len(x) % 256 == 0

	mat map[quant.Type]matKernel
	// packed holds the kernels of weight types this path repacks at upload.
	packed map[quant.Type]packedMat
}

// actKindOf returns the activation form a kernel weight type reads.
func actKindOf(t quant.Type) actKind {
	switch t {
	case quant.Q8_0, quant.Q4_0:
		return actQ8_0
	case quant.Q4_K, quant.Q6_K:
		return actQ8K
	}
	return actF32
}

// kernelTypes are the weight types with matrix kernels; others are repacked at upload.
var kernelTypes = []quant.Type{quant.F32, quant.F16, quant.BF16, quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K}

// paths lists the kernel sets this build and CPU can run, best last.
func paths() []*kernelSet {
	out := []*kernelSet{genericKernels()}
	return append(out, simdKernels()...)
}

// selectKernels returns the named path's kernels, or the best one for "".
func selectKernels(name string) (*kernelSet, error) {
	all := paths()
	if name == "" {
		return all[len(all)-1], nil
	}
	for _, k := range all {
		if k.name == name {
			return k, nil
		}
	}
	switch name {
	case "generic", "avx2", "avx512", "neon":
		return nil, fmt.Errorf("cpu: path %q not available on this CPU or build: %w", name, backend.ErrUnsupported)
	}
	return nil, fmt.Errorf("cpu: unknown path %q: %w", name, ErrInvalidOp)
}

// Paths returns the implementation paths this build and CPU support, best last.
func Paths() []string {
	var names []string
	for _, k := range paths() {
		names = append(names, k.name)
	}
	return names
}
