package quant

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"testing"
)

// Golden bytes of the 32-block quantisers, worked out by hand from ggml's
// quantize_row_*_ref. Each input is chosen so that d comes out exactly 1 (so id = 1 and
// the f16 of d is 0x3c00) and the levels follow from the conversion rules alone:
// Q8_0 rounds with roundf (halves away from zero), Q4_0/Q5_0 truncate x + 8.5 / x + 16.5
// and clamp to 15 / 31, Q4_1/Q5_1 truncate (x - min) + 0.5, Q8_K uses nearest_int
// (halves to even).
func TestGoldenLegacyByHand(t *testing.T) {
	cases := []struct {
		typ  Type
		x    map[int]float32 // elements not listed are 0
		want string          // hex of the block
	}{
		{
			// amax 127 -> d = 1. 127, -3.5->-4, 2.5->3, 0.49->0, -127, 0.001->0, 126.5->127,
			// -0.5->-1; elements 8..31 are j-20 (-12..11).
			Q8_0,
			merge(map[int]float32{0: 127, 1: -3.5, 2: 2.5, 3: 0.49, 4: -127, 5: 0.001, 6: 126.5, 7: -0.5}, ramp(8, 32, -20)),
			"003c" + "7ffc0300810 07fff" + "f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b",
		},
		{
			// max magnitude -8 -> d = -8/-8 = 1. Levels trunc(x + 8.5), at most 15:
			// x0 -8->0, x1 7->15, x2 7.6->15, x3 0.5->9, x4 0.49->8, x5 -0.5->8, x6 -0.51->7,
			// x7 -7.9->0, x16 3->11, x17 -3->5, zeros->8. Byte j = level j | level j+16 << 4.
			Q4_0,
			map[int]float32{0: -8, 1: 7, 2: 7.6, 3: 0.5, 4: 0.49, 5: -0.5, 6: -0.51, 7: -7.9, 16: 3, 17: -3},
			"003c" + "b05f8f8988888780" + "8888888888888888",
		},
		{
			// min -1, max 14 -> d = 15/15 = 1, m = -1 (0xbc00). Levels trunc(x + 1 + 0.5):
			// -1->0, 14->15, 0.5->2, 0.49->1, x16 13.6->15, x17 3->4, zeros->1.
			Q4_1,
			map[int]float32{0: -1, 1: 14, 2: 0.5, 3: 0.49, 16: 13.6, 17: 3},
			"003c00bc" + "f04f121111111111" + "1111111111111111",
		},
		{
			// max magnitude -16 -> d = 1. Levels trunc(x + 16.5), at most 31: -16->0,
			// 15->31, 15.6->31, 0->16, -0.5->16, -0.51->15, x16 5->21, x31 -15.9->0.
			// Low nibbles in qs, fifth bits in qh: all set but elements 0, 5 and 31,
			// qh = 0x7fffffde.
			Q5_0,
			map[int]float32{0: -16, 1: 15, 2: 15.6, 4: -0.5, 5: -0.51, 16: 5, 31: -15.9},
			"003c" + "deffff7f" + "500f0f00000f0000" + "0000000000000000",
		},
		{
			// min 0, max 31 -> d = 1, m = 0. Levels trunc(x + 0.5): 31, 16.5->17, 16.49->16,
			// x16 31, x17 15->15. qh bits 1, 2, 3 and 16: 0x0001000e.
			Q5_1,
			map[int]float32{1: 31, 2: 16.5, 3: 16.49, 16: 31, 17: 15},
			"003c0000" + "0e000100" + "f0ff010000000000" + "0000000000000000",
		},
	}
	for _, c := range cases {
		x := make([]float32, 32)
		for i, v := range c.x {
			x[i] = v
		}
		b := make([]byte, c.typ.BlockBytes())
		if err := Quantize(c.typ, x, b); err != nil {
			t.Fatal(err)
		}
		want := unhex(t, c.want)
		if !bytes.Equal(b, want) {
			t.Errorf("%s:\n got % x\nwant % x", c.typ, b, want)
		}
	}
}

func TestGoldenQ8KByHand(t *testing.T) {
	// max magnitude at x0 = -127 (x4 = 127 ties and does not replace it): iscale =
	// -127/-127 = 1, d = 1. nearest_int rounds halves to even: 2.5->2, 3.5->4, -0.5->0,
	// 126.5->126. bsums[0] = -127+2+4+0+127+126 = 132.
	x := make([]float32, QK_K)
	copy(x, []float32{-127, 2.5, 3.5, -0.5, 127, 126.5})
	b := make([]byte, 292)
	QuantizeQ8K(x, b)
	want := make([]byte, 292)
	copy(want, unhex(t, "0000803f"+"810204007f7e"))
	binary.LittleEndian.PutUint16(want[260:], 132)
	if !bytes.Equal(b, want) {
		t.Errorf("Q8_K:\n got % x\nwant % x", b[:12], want[:12])
	}
}

func ramp(from, to int, offset float32) map[int]float32 {
	m := map[int]float32{}
	for j := from; j < to; j++ {
		m[j] = float32(j) + offset
	}
	return m
}

func merge(a, b map[int]float32) map[int]float32 {
	for k, v := range b {
		a[k] = v
	}
	return a
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(string(bytes.ReplaceAll([]byte(s), []byte(" "), nil)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// splitmix64 is the deterministic generator of the golden inputs.
type splitmix64 uint64

func (s *splitmix64) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// goldenInput returns 64 super-blocks (16384 values). Each value is the sum of three
// 21-bit uniforms in [-1, 1) (bell-shaped, in [-3, 3)), times a power of two per
// super-block, so every step is exact in float32 and the input is the same on every
// platform. By super-block index mod 8: 1 is tiny (2^-12), 2 large (2^6), 3 all positive,
// 4 has an outlier, 5 is half zeros, 6 is all zero, 0 and 7 plain.
func goldenInput() []float32 {
	s := splitmix64(0x5c09e)
	x := make([]float32, 64*QK_K)
	for i := range x {
		z := s.next()
		var v float32
		for k := 0; k < 3; k++ {
			v += float32(int32(z>>(21*k)&0x1fffff)-0x100000) * 0x1p-20
		}
		switch i / QK_K % 8 {
		case 1:
			v *= 0x1p-12
		case 2:
			v *= 64
		case 3:
			v = float32(math.Abs(float64(v)))
		case 4:
			if i%QK_K == 77 {
				v = 40
			}
		case 5:
			if i%32 < 16 {
				v = 0
			}
		case 6:
			v = 0
		}
		x[i] = v
	}
	return x
}

// goldenHashes are sha256 sums of Quantize(goldenInput()) and of Dequantize of those
// bytes (float32, little-endian). They were produced by ggml's own quantize_row_*_ref and
// dequantize_row_* (ggml-quants.c as vendored in ollama v0.17.4, built with
// gcc -O2 -ffp-contract=off, scalar f16 conversion) on the same input; this package
// matched them byte for byte.
var goldenHashes = map[Type][2]string{
	Q4_0: {
		"1d358ece9f14cd9acd46c5f407eae238d4f4eaa468cbc21776fa588a27a85e10",
		"0adb4c98fcda89342823efaf31a65b433a0fe4d92caf0b8d6796fb2ceb3591af",
	},
	Q4_1: {
		"54d5bfd38150cc9dbbc834f9bc215a61350adcda55945c3a8ad220e1d19d839b",
		"d790ee367c0f247e38c8a158cdff584eab165764aa0b77e2b2582c9f5e080876",
	},
	Q5_0: {
		"1a9e6913a0921b08a048736bce7f3104c5cb6610bf492400cde7452c83eab1d1",
		"1a0542058aed5041d485d4a90f8d53d592757bd849f09b842c1cc2a7fecf4210",
	},
	Q5_1: {
		"71130dca458923b9f0cc8f4c565f98640c28a9d1ea16235166ebabe5ddaed0c2",
		"f8ad0234c75426ef8ed4f02159d269f40d82aa0e4a73eb2e971684e0bd938565",
	},
	Q8_0: {
		"d494b96893f5875d0e9ac75d6a751b78342d11f5de2ec6d81d8bd9ac8593770f",
		"d8302dbc0abbfed95b9913b97abeb9425ab7c08fc580f54858d46e548e554e9f",
	},
	Q2_K: {
		"d6fcbb05bf676370df8477a02667c2e70ddf4375bdf1cfdc3a64fc684274355f",
		"2671018ad6458c3de216e85cff545055ab27e3872a7e508eb921866876d6f532",
	},
	Q3_K: {
		"edaec595e3ccdc41cb14e41e7be5bd9d15d08e39201f3b0d484a6307204a9918",
		"b459c3dfdf6fb858c337574b21af9a4d3e4ee56019076af67494404ae2073855",
	},
	Q4_K: {
		"c3ca8f48a5b45d07d87d5193483898029c655066c5cb112edef814fdc483d180",
		"06b6f882ab1e4a1551c55b394ee6c8f5756bb4601aeda581d510c62bacb0c228",
	},
	Q5_K: {
		"2ccad9acdb301329cd0de6cb28e885c2b10cdde577687d3a87ec8645e334d955",
		"eb8747d3f6e7ae319b0d100d98b25ffcbc84c0f9955843ea916e2011c82931c9",
	},
	Q6_K: {
		"0576d48c481f6d6d8cb20e6b16a52d7fb0aee8ba827435a4aebc93c5ec1d5ab8",
		"ee10db9c23af083c08f7b387d186f96bd18220c5e5a209876eada4cf367cba28",
	},
	Q8_K: {
		"33ec48badd9b442ff7ceb85f0fb683ae760ca0c619906f70bb6c6f4c751e6074",
		"cd3c3ad93599138cfc357285fa36d734f3c5a433c47f52276276765f975558c8",
	},
}

func TestGoldenAgainstGGML(t *testing.T) {
	x := goldenInput()
	for typ, want := range goldenHashes {
		n, _ := typ.RowBytes(len(x))
		b := make([]byte, n)
		if err := Quantize(typ, x, b); err != nil {
			t.Fatal(err)
		}
		y := make([]float32, len(x))
		if err := Dequantize(typ, b, y); err != nil {
			t.Fatal(err)
		}
		yb := make([]byte, 4*len(y))
		for i, v := range y {
			binary.LittleEndian.PutUint32(yb[4*i:], math.Float32bits(v))
		}
		if got := sha256hex(b); got != want[0] {
			t.Errorf("%s: quantised bytes sha256 %s, ggml %s", typ, got, want[0])
		}
		if got := sha256hex(yb); got != want[1] {
			t.Errorf("%s: dequantised sha256 %s, ggml %s", typ, got, want[1])
		}
	}
}

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// halfFields lists the byte offsets of the f16 scale fields in each block.
var halfFields = map[Type][]int{
	Q4_0: {0}, Q4_1: {0, 2}, Q5_0: {0}, Q5_1: {0, 2}, Q8_0: {0},
	Q2_K: {80, 82}, Q3_K: {108}, Q4_K: {0, 2}, Q5_K: {0, 2}, Q6_K: {208},
}

// goldenBlocks returns nb pseudo-random blocks of typ whose scale fields are finite (a
// random half with the exponent kept below 31; Q8_K's float32 d is such a half widened),
// so every dequantised value is finite and the result does not depend on how a platform
// propagates NaN payloads.
func goldenBlocks(typ Type, nb int) []byte {
	s := splitmix64(0xb10c5 + uint64(typ))
	b := make([]byte, nb*typ.BlockBytes())
	var w [8]byte
	for i := 0; i < len(b); i += 8 {
		binary.LittleEndian.PutUint64(w[:], s.next())
		copy(b[i:], w[:])
	}
	finite := func(h uint16) uint16 {
		if h&0x7c00 == 0x7c00 {
			h &^= 0x4000
		}
		return h
	}
	for blk := 0; blk < nb; blk++ {
		base := blk * typ.BlockBytes()
		for _, off := range halfFields[typ] {
			h := binary.LittleEndian.Uint16(b[base+off:])
			binary.LittleEndian.PutUint16(b[base+off:], finite(h))
		}
		if typ == Q8_K {
			d := F16ToF32(finite(binary.LittleEndian.Uint16(b[base:])))
			binary.LittleEndian.PutUint32(b[base:], math.Float32bits(d))
		}
	}
	return b
}

// goldenDequantHashes are sha256 sums (float32, little-endian) of ggml's dequantize_row_*
// (same build as goldenHashes) on goldenBlocks: 512 blocks for the 32-element types, 64
// super-blocks for the K-quants. Random bytes reach bit patterns the quantisers never
// write.
var goldenDequantHashes = map[Type]string{
	Q4_0: "7117a60e1470ae3de3cc744d21ff13db0a16db868ab1679fa5d1af7e2f9d5192",
	Q4_1: "1025ac999782b6f177fc5bc3f3746b1784fe2a097320e3077438fcd68f121a0d",
	Q5_0: "394404cb941b69beacde2b513a985189a95f18980fad7506da49fa3b264bbf70",
	Q5_1: "7dae2e37f312328dda0353c8bd2f5c386007f4a24289000b95142d7aa200a0e0",
	Q8_0: "7565252120b60519248eb242c235ff4f1bf1321078b5f7821c15a23cf88ee1ee",
	Q2_K: "faec25aa286ff68c38b440cf4bd3c0c008869a0b5c5bbce1da280e29064f81a9",
	Q3_K: "390148c3d0408afd5a575362a78b227af075e6be6d85b0e3c7887d72ce2ff93d",
	Q4_K: "02e7bc17112334e4c0f2f0d3704e74471c488e5a7ef6de97bd267d4ff97d7634",
	Q5_K: "15c5c29838ea4321c14e58ea08f554a0642da9a037c1d4e8149b6af9b2513ff2",
	Q6_K: "0975231c555a585aff01f4d72685cda03c605937e79d1bc1541cc9e71b741a0f",
	Q8_K: "a5b47c3bd43bc82b32b7ef4273c0fbe3bf5e8f7f19004ac40aad9e8f0404c3c0",
}

func TestGoldenDequantAgainstGGML(t *testing.T) {
	for typ, want := range goldenDequantHashes {
		nb := 64
		if typ.BlockSize() == 32 {
			nb = 512
		}
		y := make([]float32, nb*typ.BlockSize())
		if err := Dequantize(typ, goldenBlocks(typ, nb), y); err != nil {
			t.Fatal(err)
		}
		yb := make([]byte, 4*len(y))
		for i, v := range y {
			binary.LittleEndian.PutUint32(yb[4*i:], math.Float32bits(v))
		}
		if got := sha256hex(yb); got != want {
			t.Errorf("%s: dequantised sha256 %s, ggml %s", typ, got, want)
		}
	}
}
