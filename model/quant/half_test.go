package quant

import (
	"math"
	"sort"
	"testing"
)

func TestF16KnownValues(t *testing.T) {
	cases := []struct {
		h uint16
		f float32
	}{
		{0x0000, 0},
		{0x3c00, 1},
		{0xc000, -2},
		{0x3555, 0.333251953125},
		{0x7bff, 65504},                         // largest finite
		{0x0400, 6.103515625e-05},               // smallest normal, 2^-14
		{0x0001, 5.960464477539063e-08},         // smallest subnormal, 2^-24
		{0x03ff, 6.097555160522461e-05},         // largest subnormal, 1023 * 2^-24
		{0x8001, -5.960464477539063e-08},        // negative subnormal
		{0x7c00, float32(math.Inf(1))},          // +inf
		{0xfc00, float32(math.Inf(-1))},         // -inf
		{0x3800, 0.5},                           //
		{0x2e66, 0.0999755859375},               // nearest half to 0.1
		{0x57d0, 125},                           //
		{0x5bff, 255.875},                       //
		{0x0200, 3.0517578125e-05},              // 512 * 2^-24
		{0x3c01, 1.0009765625},                  // 1 + 2^-10
		{0xbc01, -1.0009765625},                 //
		{0x7800, 32768},                         //
		{0x1400, 0.0009765625},                  // 2^-10
		{0x8000, float32(math.Copysign(0, -1))}, // -0
	}
	for _, c := range cases {
		got := F16ToF32(c.h)
		if math.Float32bits(got) != math.Float32bits(c.f) {
			t.Errorf("F16ToF32(%#04x) = %v (%#08x), want %v", c.h, got, math.Float32bits(got), c.f)
		}
		if back := F32ToF16(c.f); back != c.h {
			t.Errorf("F32ToF16(%v) = %#04x, want %#04x", c.f, back, c.h)
		}
	}
}

func TestF16NaN(t *testing.T) {
	// Quiet NaNs keep sign and payload; signalling ones come back quiet (as vcvtph2ps).
	for _, c := range []struct {
		h    uint16
		bits uint32
	}{
		{0x7e00, 0x7fc00000},
		{0xfe00, 0xffc00000},
		{0x7c01, 0x7fc02000},
		{0x7fff, 0x7fffe000},
	} {
		if got := math.Float32bits(F16ToF32(c.h)); got != c.bits {
			t.Errorf("F16ToF32(%#04x) = %#08x, want %#08x", c.h, got, c.bits)
		}
	}
	for _, c := range []struct {
		bits uint32
		h    uint16
	}{
		{0x7fc00000, 0x7e00},
		{0xffc00000, 0xfe00},
		{0x7f800001, 0x7e00}, // payload below the kept bits
		{0xffc12345, 0xfe09}, // top payload bits kept (F16C)
		{0x7fbfe000, 0x7fff},
	} {
		if got := F32ToF16(math.Float32frombits(c.bits)); got != c.h {
			t.Errorf("F32ToF16(%#08x) = %#04x, want %#04x", c.bits, got, c.h)
		}
	}
}

// TestF16RoundTripAll converts every half to float32 and back: non-NaN values must come back
// bit-identical, NaNs come back as the same NaN made quiet.
func TestF16RoundTripAll(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		f := F16ToF32(h)
		want := h
		if h&0x7c00 == 0x7c00 && h&0x3ff != 0 {
			want = h | 0x200
			if !math.IsNaN(float64(f)) {
				t.Fatalf("F16ToF32(%#04x) = %v, want NaN", h, f)
			}
		}
		if got := F32ToF16(f); got != want {
			t.Fatalf("F32ToF16(F16ToF32(%#04x)) = %#04x, want %#04x", h, got, want)
		}
		// Exactness: a finite half is a multiple of 2^-24 with at most 11 significant bits.
		if !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) {
			units := float64(f) * (1 << 24)
			if units != math.Trunc(units) {
				t.Fatalf("F16ToF32(%#04x) = %v is not a multiple of 2^-24", h, f)
			}
		}
	}
}

func TestF32ToF16Rounding(t *testing.T) {
	cases := []struct {
		f float32
		h uint16
	}{
		{1 + 1.0/2048, 0x3c00},               // tie between 1 and 1+2^-10: to even (1)
		{1 + 3.0/2048, 0x3c02},               // tie between 1+2^-10 and 1+2^-9: to even
		{1 + 1.0/2048 + 1.0/(1<<20), 0x3c01}, // just above the tie
		{65504, 0x7bff},
		{65519.996, 0x7bff},                // just below the overflow tie
		{65520, 0x7c00},                    // tie at the top rounds to even: infinity
		{1e6, 0x7c00},                      // overflow
		{-1e6, 0xfc00},                     //
		{float32(math.MaxFloat32), 0x7c00}, //
		{0x1p-25, 0x0000},                  // half the smallest subnormal: tie to even 0
		{0x1.000002p-25, 0x0001},           // just above it
		{0x1.8p-24, 0x0002},                // 1.5 units: tie to even 2
		{0x1.4p-23, 0x0002},                // 2.5 units: tie to even 2
		{0x1.ffcp-15, 0x0400},              // rounds up out of the subnormals
		{0x1p-149, 0x0000},                 // float32 subnormal
		{-0x1p-149, 0x8000},                // signed zero
		{0x1.ffep-1, 0x3c00},               // mantissa carry into the exponent
	}
	for _, c := range cases {
		if got := F32ToF16(c.f); got != c.h {
			t.Errorf("F32ToF16(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
}

// nearestHalf is an independent oracle: it searches the sorted finite halves for the ones
// around f and picks the nearer, ties to the even encoding, using float64 distances.
func nearestHalf(f float32, pos []float64) uint16 {
	var sign uint16
	a := float64(f)
	if math.Signbit(a) {
		sign, a = 0x8000, -a
	}
	if a >= 65520 {
		return sign | 0x7c00
	}
	i := sort.SearchFloat64s(pos, a) // pos[i] >= a
	if i == len(pos) {
		return sign | 0x7bff // between 65504 and the overflow tie
	}
	if pos[i] == a {
		return sign | uint16(i)
	}
	lo, hi := i-1, i
	dl, dh := a-pos[lo], pos[hi]-a
	switch {
	case dl < dh:
		return sign | uint16(lo)
	case dh < dl:
		return sign | uint16(hi)
	case lo%2 == 0:
		return sign | uint16(lo)
	}
	return sign | uint16(hi)
}

// TestF32ToF16Oracle compares against nearestHalf on a stride through all float32 bit
// patterns and on every midpoint between adjacent halves and its float32 neighbours.
func TestF32ToF16Oracle(t *testing.T) {
	pos := make([]float64, 0x7c00)
	for i := range pos {
		pos[i] = float64(F16ToF32(uint16(i)))
	}
	check := func(f float32) {
		if math.IsNaN(float64(f)) {
			return
		}
		if got, want := F32ToF16(f), nearestHalf(f, pos); got != want {
			t.Fatalf("F32ToF16(%g = %#08x) = %#04x, oracle %#04x", f, math.Float32bits(f), got, want)
		}
	}
	for u := uint64(0); u < 1<<32; u += 65521 {
		check(math.Float32frombits(uint32(u)))
	}
	for i := 0; i+1 < len(pos); i++ {
		mid := float32((pos[i] + pos[i+1]) / 2) // exact: 12 significant bits
		for _, f := range []float32{mid, math.Nextafter32(mid, 0), math.Nextafter32(mid, 1e9)} {
			check(f)
			check(-f)
		}
	}
}

func TestBF16(t *testing.T) {
	cases := []struct {
		f float32
		b uint16
	}{
		{1, 0x3f80},
		{-2, 0xc000},
		{float32(math.Inf(1)), 0x7f80},
		{math.Float32frombits(0x3f808000), 0x3f80}, // tie, even stays
		{math.Float32frombits(0x3f818000), 0x3f82}, // tie, odd rounds up
		{math.Float32frombits(0x3f808001), 0x3f81}, // above the tie
		{math.Float32frombits(0x7f7fffff), 0x7f80}, // max float rounds to infinity
		{math.Float32frombits(0x00018000), 0x0002}, // subnormals kept (no flush)
		{math.Float32frombits(0x7f800001), 0x7fc0}, // signalling NaN made quiet
		{math.Float32frombits(0xffc00001), 0xffc0}, // quiet NaN keeps sign
	}
	for _, c := range cases {
		if got := F32ToBF16(c.f); got != c.b {
			t.Errorf("F32ToBF16(%#08x) = %#04x, want %#04x", math.Float32bits(c.f), got, c.b)
		}
	}
	for i := 0; i < 1<<16; i++ {
		b := uint16(i)
		f := BF16ToF32(b)
		if math.Float32bits(f) != uint32(b)<<16 {
			t.Fatalf("BF16ToF32(%#04x) bits %#08x", b, math.Float32bits(f))
		}
		want := b
		if b&0x7f80 == 0x7f80 && b&0x7f != 0 {
			want = b | 0x40
		}
		if got := F32ToBF16(f); got != want {
			t.Fatalf("F32ToBF16(BF16ToF32(%#04x)) = %#04x, want %#04x", b, got, want)
		}
	}
}

// TestDequantizeF16All checks the row conversion (which has its own fast path for normal
// halves) against F16ToF32 on every half.
func TestDequantizeF16All(t *testing.T) {
	src := make([]byte, 2<<16)
	for i := 0; i < 1<<16; i++ {
		src[2*i], src[2*i+1] = byte(i), byte(i>>8)
	}
	y := make([]float32, 1<<16)
	if err := Dequantize(F16, src, y); err != nil {
		t.Fatal(err)
	}
	for i, v := range y {
		if want := F16ToF32(uint16(i)); math.Float32bits(v) != math.Float32bits(want) {
			t.Fatalf("half %#04x: %#08x, want %#08x", i, math.Float32bits(v), math.Float32bits(want))
		}
	}
}
