package quant

import (
	"encoding/binary"
	"math"
	"testing"
)

// Hand-built blocks: each test writes a block byte by byte from ggml-common.h's layout and
// checks values worked out by hand from ggml's dequantize_row_* definition (the working is
// in the comments).

// spot maps an element index to its expected value.
type spot map[int]float32

func checkSpots(t *testing.T, typ Type, block []byte, want spot) []float32 {
	t.Helper()
	y := make([]float32, typ.BlockSize())
	if err := Dequantize(typ, block, y); err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if y[i] != w {
			t.Errorf("%s element %d = %v, want %v", typ, i, y[i], w)
		}
	}
	return y
}

func le16(b []byte, v uint16) { binary.LittleEndian.PutUint16(b, v) }

func TestDequantQ4_0Hand(t *testing.T) {
	// d = 0.5 (0x3800); byte j = j | (15-j)<<4: element j = (j-8)*0.5, element j+16 = (7-j)*0.5.
	b := make([]byte, 18)
	le16(b, 0x3800)
	for j := 0; j < 16; j++ {
		b[2+j] = byte(j) | byte(15-j)<<4
	}
	y := checkSpots(t, Q4_0, b, spot{0: -4, 8: 0, 15: 3.5, 16: 3.5, 23: 0, 31: -4})
	for j := 0; j < 16; j++ {
		if y[j] != float32(j-8)*0.5 || y[j+16] != float32(7-j)*0.5 {
			t.Fatalf("Q4_0 pair %d = %v, %v", j, y[j], y[j+16])
		}
	}
}

func TestDequantQ4_1Hand(t *testing.T) {
	// d = 0.25 (0x3400), m = -1 (0xbc00): element j = lo*0.25 - 1.
	b := make([]byte, 20)
	le16(b[0:], 0x3400)
	le16(b[2:], 0xbc00)
	for j := 0; j < 16; j++ {
		b[4+j] = byte(j) | byte(15-j)<<4
	}
	checkSpots(t, Q4_1, b, spot{0: -1, 4: 0, 15: 2.75, 16: 2.75, 31: -1, 27: 0})
}

func TestDequantQ5_0Hand(t *testing.T) {
	// d = 0.5; qs[j] = j | (15-j)<<4; qh = 0x80010009 sets the fifth bit of elements
	// 0, 3 (bits 0, 3), 16 (bit 16) and 31 (bit 31). x = (q - 16) * 0.5.
	b := make([]byte, 22)
	le16(b, 0x3800)
	binary.LittleEndian.PutUint32(b[2:], 0x80010009)
	for j := 0; j < 16; j++ {
		b[6+j] = byte(j) | byte(15-j)<<4
	}
	checkSpots(t, Q5_0, b, spot{
		0: 0, 1: -7.5, 3: 1.5, 15: -0.5, // low nibbles 0, 1, 3+16, 15
		16: 7.5, 17: -1, 30: -7.5, 31: 0, // high nibbles 15+16, 14, 1, 0+16
	})
}

func TestDequantQ5_1Hand(t *testing.T) {
	// d = 2, m = 0.5; qs all 0x00; qh = 0x00000002 | 1<<20: elements 1 and 20 are 16.
	b := make([]byte, 24)
	le16(b[0:], 0x4000)
	le16(b[2:], 0x3800)
	binary.LittleEndian.PutUint32(b[4:], 0x00100002)
	checkSpots(t, Q5_1, b, spot{0: 0.5, 1: 32.5, 19: 0.5, 20: 32.5, 31: 0.5})
}

func TestDequantQ8_0Hand(t *testing.T) {
	// d = 0.25 (0x3400), qs[j] = j - 16 as int8.
	b := make([]byte, 34)
	le16(b, 0x3400)
	for j := 0; j < 32; j++ {
		b[2+j] = byte(int8(j - 16))
	}
	checkSpots(t, Q8_0, b, spot{0: -4, 15: -0.25, 16: 0, 31: 3.75})
}

func TestDequantQ2_KHand(t *testing.T) {
	// d = 0.5, dmin = 0.25; scales[k] = k | (15-k)<<4 (scale k, min 15-k); every qs byte
	// 0xe4, so the 2-bit level at shift 0,2,4,6 is 0,1,2,3. Element e: half n = e/128,
	// r = e%128, level = r/32, scale index 8n + 2*(r/32) + (r%32)/16.
	b := make([]byte, 84)
	for k := 0; k < 16; k++ {
		b[k] = byte(k) | byte(15-k)<<4
	}
	for i := 16; i < 80; i++ {
		b[i] = 0xe4
	}
	le16(b[80:], 0x3800)
	le16(b[82:], 0x3400)
	checkSpots(t, Q2_K, b, spot{
		0:   -3.75, // 0.5*0*0 - 0.25*15
		17:  -3.5,  // scale 1, min 14, level 0
		40:  -2.25, // scale 2, min 13, level 1: 1 - 3.25
		127: 8.5,   // scale 7, min 8, level 3: 10.5 - 2
		255: 22.5,  // scale 15, min 0, level 3
	})
}

func TestDequantQ3_KHand(t *testing.T) {
	// Scale k (6-bit, minus 32) = k - 8: raw 24+k, low nibble (8+k)&15, high bits 1 (k<8) or
	// 2 (k>=8). Bytes 0..7 hold low nibbles of k and k+8: (8+k) | k<<4; bytes 8..11 hold
	// the high bits of k, k+4, k+8, k+12 at bits 0, 2, 4, 6: 1|1<<2|2<<4|2<<6 = 0xa5.
	// d = 2; qs all 0xe4 (levels 0,1,2,3 by shift); hmask[0] = 0xff (element r%32 == 0 has
	// the high bit in every slice), hmask[20] = 0x01 (element 20 only). Without the high
	// bit a level is lowered by 4.
	b := make([]byte, 110)
	b[0] = 0xff
	b[20] = 0x01
	for i := 32; i < 96; i++ {
		b[i] = 0xe4
	}
	for k := 0; k < 8; k++ {
		b[96+k] = byte(8+k) | byte(k)<<4
	}
	for k := 8; k < 12; k++ {
		b[96+k] = 0xa5
	}
	le16(b[108:], 0x4000)
	checkSpots(t, Q3_K, b, spot{
		0:   0,   // scale -8, level 0 with high bit
		1:   64,  // scale -8, level 0-4: -16 * -4
		20:  0,   // scale -7, high bit set
		21:  56,  // scale -7, level -4
		32:  -12, // scale -6, level 1 (hmask[0] bit 1 set)
		100: 4,   // scale -2, level 3-4
		128: 0,   // scale 0
		230: -12, // scale 6, level 3-4
		255: -14, // scale 7, level 3-4
	})
}

// kScales12 is a Q4_K/Q5_K scale block for scales {1,2,3,4,17,33,63,40} and mins
// {0,1,2,3,20,10,63,5}: bytes 0..3 = sc[0..3] | (sc[4..7]>>4)<<6, bytes 4..7 =
// m[0..3] | (m[4..7]>>4)<<6, bytes 8..11 = sc[4..7]&15 | (m[4..7]&15)<<4.
var kScales12 = []byte{0x41, 0x82, 0xc3, 0x84, 0x40, 0x01, 0xc2, 0x03, 0x41, 0xa1, 0xff, 0x58}

func TestScaleMinK4(t *testing.T) {
	sc := [8]uint8{1, 2, 3, 4, 17, 33, 63, 40}
	mn := [8]uint8{0, 1, 2, 3, 20, 10, 63, 5}
	for j := 0; j < 8; j++ {
		s, m := scaleMinK4(j, (*[12]byte)(kScales12))
		if s != sc[j] || m != mn[j] {
			t.Errorf("sub-block %d: scale %d min %d, want %d %d", j, s, m, sc[j], mn[j])
		}
	}
}

func TestDequantQ4_KHand(t *testing.T) {
	// d = 1, dmin = 0.5; qs bytes 0x5a (low 10, high 5) except qs[0] = 0x0f and
	// qs[127] = 0xf0. Sub-block s (elements 32s..32s+31) uses the low nibbles of group s/2
	// for even s, the high ones for odd s: x = d*sc*q - dmin*m.
	b := make([]byte, 144)
	le16(b[0:], 0x3c00)
	le16(b[2:], 0x3800)
	copy(b[4:], kScales12)
	for i := 16; i < 144; i++ {
		b[i] = 0x5a
	}
	b[16] = 0x0f
	b[143] = 0xf0
	checkSpots(t, Q4_K, b, spot{
		0: 15, 1: 10, 32: -0.5, 33: 9.5, 64: 29, 96: 18.5,
		128: 160, 160: 160, 192: 598.5, 223: -31.5, 224: 197.5, 255: 597.5,
	})
}

func TestDequantQ5_KHand(t *testing.T) {
	// As Q4_K, plus qh[5] = 0x01 (element 5 gets +16) and qh[7] = 0x80 (group 3 high
	// nibbles, element 192+32+7 = 231 gets +16).
	b := make([]byte, 176)
	le16(b[0:], 0x3c00)
	le16(b[2:], 0x3800)
	copy(b[4:], kScales12)
	b[16+5] = 0x01
	b[16+7] = 0x80
	for i := 48; i < 176; i++ {
		b[i] = 0x5a
	}
	checkSpots(t, Q5_K, b, spot{0: 10, 5: 26, 33: 9.5, 230: 197.5, 231: 837.5, 192: 598.5})
}

func TestDequantQ6_KHand(t *testing.T) {
	// d = 0.5, scales[k] = k-8; ql all 0x21 (low 1, high 2); qh all 0xe4 (2-bit fields
	// 0,1,2,3). Quarter 0..3 of each 128-half reads (ql[l] low, qh 0), (ql[l+32] low, qh 1),
	// (ql[l] high, qh 2), (ql[l+32] high, qh 3): q = 1, 17, 34, 50, minus 32 = -31, -15, 2,
	// 18. Scale index 8n + l/16 + 2*quarter.
	b := make([]byte, 210)
	for i := 0; i < 128; i++ {
		b[i] = 0x21
	}
	for i := 128; i < 192; i++ {
		b[i] = 0xe4
	}
	for k := 0; k < 16; k++ {
		b[192+k] = byte(int8(k - 8))
	}
	le16(b[208:], 0x3800)
	checkSpots(t, Q6_K, b, spot{
		0: 124, 20: 108.5, 40: 45, 100: -18, 200: 4, 255: 63,
	})
}

func TestDequantQ8_KHand(t *testing.T) {
	b := make([]byte, 292)
	binary.LittleEndian.PutUint32(b, math.Float32bits(0.125))
	for j := 0; j < 256; j++ {
		b[4+j] = byte(int8(j - 128))
	}
	checkSpots(t, Q8_K, b, spot{0: -16, 128: 0, 255: 15.875})
}

func TestDequantPlain(t *testing.T) {
	f32 := []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0} // 1, -2
	f16 := []byte{0x00, 0x3c, 0x00, 0xc0}          // 1, -2
	bf16 := []byte{0x80, 0x3f, 0x00, 0xc0}         // 1, -2
	for _, c := range []struct {
		typ Type
		src []byte
	}{{F32, f32}, {F16, f16}, {BF16, bf16}} {
		y := make([]float32, 2)
		if err := Dequantize(c.typ, c.src, y); err != nil {
			t.Fatal(err)
		}
		if y[0] != 1 || y[1] != -2 {
			t.Errorf("%s: %v", c.typ, y)
		}
	}
}
