// Package quant defines the GGUF tensor types and converts them to and from float32,
// bit-exact to ggml's reference (de)quantisation.
//
// Dequantize reproduces ggml's dequantize_row_* float for float, and Quantize reproduces
// the bytes of its quantize_row_*_ref reference quantisers (no importance matrix) for the
// 32-element types and the K-quants alike. ggml's C is taken as written, each product
// rounded to float32 before it is added: the code converts products explicitly so that Go
// does not fuse them into FMAs on arm64 and other targets. (A ggml built with -march=native
// and GCC's default -ffp-contract=fast may itself fuse some of them and differ in the
// last bit.) F16 conversion rounds to nearest even and matches the F16C instructions on
// every input; BF16 conversion is ggml_compute_fp32_to_bf16.
package quant

import (
	"fmt"
	"strings"
)

// Type is a ggml tensor type; the values are ggml's enum ggml_type ids as stored in GGUF.
type Type uint32

const (
	F32  Type = 0
	F16  Type = 1
	Q4_0 Type = 2
	Q4_1 Type = 3
	Q5_0 Type = 6
	Q5_1 Type = 7
	Q8_0 Type = 8
	Q8_1 Type = 9
	Q2_K Type = 10
	Q3_K Type = 11
	Q4_K Type = 12
	Q5_K Type = 13
	Q6_K Type = 14
	Q8_K Type = 15
	I8   Type = 24
	I16  Type = 25
	I32  Type = 26
	I64  Type = 27
	F64  Type = 28
	BF16 Type = 30
)

// QK_K is the super-block size of the K-quants.
const QK_K = 256

type typeInfo struct {
	name       string
	blockSize  int // elements per block
	blockBytes int // bytes per block
}

var types = map[Type]typeInfo{
	F32:  {"F32", 1, 4},
	F16:  {"F16", 1, 2},
	Q4_0: {"Q4_0", 32, 18},
	Q4_1: {"Q4_1", 32, 20},
	Q5_0: {"Q5_0", 32, 22},
	Q5_1: {"Q5_1", 32, 24},
	Q8_0: {"Q8_0", 32, 34},
	Q8_1: {"Q8_1", 32, 36},
	Q2_K: {"Q2_K", QK_K, 84},
	Q3_K: {"Q3_K", QK_K, 110},
	Q4_K: {"Q4_K", QK_K, 144},
	Q5_K: {"Q5_K", QK_K, 176},
	Q6_K: {"Q6_K", QK_K, 210},
	Q8_K: {"Q8_K", QK_K, 292},
	I8:   {"I8", 1, 1},
	I16:  {"I16", 1, 2},
	I32:  {"I32", 1, 4},
	I64:  {"I64", 1, 8},
	F64:  {"F64", 1, 8},
	BF16: {"BF16", 1, 2},
}

// Known reports whether t is a type whose block layout this package knows.
func (t Type) Known() bool { _, ok := types[t]; return ok }

func (t Type) String() string {
	if info, ok := types[t]; ok {
		return info.name
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// BlockSize is the number of elements in one block (1 for plain types); 0 if unknown.
func (t Type) BlockSize() int { return types[t].blockSize }

// BlockBytes is the number of bytes in one block; 0 if unknown.
func (t Type) BlockBytes() int { return types[t].blockBytes }

// RowBytes returns the bytes taken by n elements of type t. n must be a multiple of the
// block size (else ErrLength); an unknown type gives ErrUnknownType.
func (t Type) RowBytes(n int) (int, error) {
	info, ok := types[t]
	if !ok {
		return 0, fmt.Errorf("%w %d", ErrUnknownType, uint32(t))
	}
	if n < 0 || n%info.blockSize != 0 {
		return 0, fmt.Errorf("%w: %s: %d elements is not a multiple of the block size %d", ErrLength, info.name, n, info.blockSize)
	}
	return n / info.blockSize * info.blockBytes, nil
}

// ParseType reads a type name such as "q4_k" or "F16" (case-insensitive).
func ParseType(s string) (Type, error) {
	for t, info := range types {
		if strings.EqualFold(info.name, s) {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown tensor type %q", s)
}
