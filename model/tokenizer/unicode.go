package tokenizer

import (
	"sync"
	"unicode"
)

// cpFlags classifies a code point the way llama.cpp's unicode tables do: exactly one general
// category bit (Cn is flagUndefined) plus the White_Space property. Go's unicode tables stand in
// for llama.cpp's generated ones; they may differ on code points assigned in a newer Unicode.
type cpFlags uint16

const (
	flagUndefined cpFlags = 1 << iota
	flagNumber
	flagLetter
	flagSeparator
	flagMark
	flagPunct
	flagSymbol
	flagControl
	flagWhitespace
)

// outOfRange marks a position outside the fragment being scanned; its flags are zero.
const outOfRange = rune(-1)

func (f cpFlags) isLetter() bool { return f&flagLetter != 0 }
func (f cpFlags) isNumber() bool { return f&flagNumber != 0 }
func (f cpFlags) isPunct() bool  { return f&flagPunct != 0 }
func (f cpFlags) isSpace() bool  { return f&flagWhitespace != 0 }

// isWhitespace is the White_Space property list llama.cpp uses for \s.
func isWhitespace(r rune) bool {
	switch {
	case r >= 0x09 && r <= 0x0D, r == 0x20, r == 0x85, r == 0xA0, r == 0x1680:
		return true
	case r >= 0x2000 && r <= 0x200A, r == 0x2028, r == 0x2029, r == 0x202F, r == 0x205F, r == 0x3000:
		return true
	}
	return false
}

func computeFlags(r rune) cpFlags {
	var f cpFlags
	switch {
	case unicode.Is(unicode.L, r):
		f = flagLetter
	case unicode.Is(unicode.N, r):
		f = flagNumber
	case unicode.Is(unicode.M, r):
		f = flagMark
	case unicode.Is(unicode.P, r):
		f = flagPunct
	case unicode.Is(unicode.S, r):
		f = flagSymbol
	case unicode.Is(unicode.Z, r):
		f = flagSeparator
	case unicode.Is(unicode.C, r):
		f = flagControl
	default:
		f = flagUndefined
	}
	if isWhitespace(r) {
		f |= flagWhitespace
	}
	return f
}

// bmpFlags caches the flags of the Basic Multilingual Plane (128 KiB, built on first use).
var bmpFlags = sync.OnceValue(func() []cpFlags {
	t := make([]cpFlags, 0x10000)
	for r := range t {
		t[r] = computeFlags(rune(r))
	}
	return t
})

// flagsOf returns the flags of r; outOfRange gives zero flags, code points past U+10FFFF are
// undefined.
func flagsOf(r rune) cpFlags {
	switch {
	case r < 0:
		return 0
	case r < 0x10000:
		return bmpFlags()[r]
	case r > unicode.MaxRune:
		return flagUndefined
	}
	return computeFlags(r)
}

// decodeRunes splits s into code points exactly as llama.cpp's unicode_cpts_from_utf8 does:
// it checks only lead and continuation bit patterns (overlong forms and surrogates pass), and
// each byte that does not start a well-formed sequence becomes U+FFFD.
func decodeRunes(s string) []rune {
	out := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, n := decodeOne(s, i)
		out = append(out, r)
		i += n
	}
	return out
}

func decodeOne(s string, i int) (rune, int) {
	b0 := s[i]
	cont := func(k int) bool { return i+k < len(s) && s[i+k]&0xC0 == 0x80 }
	switch {
	case b0 < 0x80:
		return rune(b0), 1
	case b0&0x40 == 0:
		return unicode.ReplacementChar, 1
	case b0&0x20 == 0:
		if cont(1) {
			return rune(b0&0x1F)<<6 | rune(s[i+1]&0x3F), 2
		}
	case b0&0x10 == 0:
		if cont(1) && cont(2) {
			return rune(b0&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F), 3
		}
	case b0&0x08 == 0:
		if cont(1) && cont(2) && cont(3) {
			return rune(b0&0x07)<<18 | rune(s[i+1]&0x3F)<<12 | rune(s[i+2]&0x3F)<<6 | rune(s[i+3]&0x3F), 4
		}
	}
	return unicode.ReplacementChar, 1
}

// appendRune encodes r as llama.cpp's unicode_cpt_to_utf8 does, surrogates included. Code
// points past U+10FFFF (which llama.cpp rejects with an exception) become U+FFFD.
func appendRune(b []byte, r rune) []byte {
	switch {
	case r < 0:
		r = unicode.ReplacementChar
	case r <= 0x7F:
		return append(b, byte(r))
	case r <= 0x7FF:
		return append(b, 0xC0|byte(r>>6), 0x80|byte(r&0x3F))
	case r <= 0xFFFF:
		return append(b, 0xE0|byte(r>>12), 0x80|byte(r>>6&0x3F), 0x80|byte(r&0x3F))
	case r <= unicode.MaxRune:
		return append(b, 0xF0|byte(r>>18), 0x80|byte(r>>12&0x3F), 0x80|byte(r>>6&0x3F), 0x80|byte(r&0x3F))
	default:
		r = unicode.ReplacementChar
	}
	return appendRune(b, r)
}

// utf8Len is llama.cpp's unicode_len_utf8: the sequence length implied by a lead byte's high
// nibble, without validation (the SPM tokenizer splits text this way).
func utf8Len(b byte) int {
	switch b >> 4 {
	case 0xC, 0xD:
		return 2
	case 0xE:
		return 3
	case 0xF:
		return 4
	}
	return 1
}

// byteToRune and runeToByte are GPT-2's byte-level mapping: printable Latin-1 bytes map to
// themselves, the others to U+0100 onwards in byte order.
var byteToRune, runeToByte = func() ([256]rune, map[rune]byte) {
	var fwd [256]rune
	back := make(map[rune]byte, 256)
	n := rune(0)
	for b := 0; b < 256; b++ {
		if (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			fwd[b] = rune(b)
		} else {
			fwd[b] = 256 + n
			n++
		}
		back[fwd[b]] = byte(b)
	}
	return fwd, back
}()
