package tokenizer

import "unicode"

// span is a half-open range of code point indices.
type span struct{ start, end int }

// splitter cuts the fragment cps[start:end] into consecutive pieces appended to out. Each
// pre-tokenizer regex of llama.cpp becomes one splitter, applied to every fragment that the
// previous one produced.
type splitter func(cps []rune, start, end int, out []span) []span

// fragment gives the scanners llama.cpp's view of one fragment: code points outside it read
// as outOfRange with zero flags, and pieces are emitted from the previous cut onwards.
type fragment struct {
	cps        []rune
	start, end int
	prev       int
	out        []span
}

func (f *fragment) at(i int) rune {
	if i >= f.start && i < f.end {
		return f.cps[i]
	}
	return outOfRange
}

func (f *fragment) flags(i int) cpFlags { return flagsOf(f.at(i)) }

// cut emits the piece from the previous cut to e (when not empty) and returns e.
func (f *fragment) cut(e int) int {
	if e > f.prev {
		f.out = append(f.out, span{f.prev, e})
	}
	f.prev = e
	return e
}

// contraction matches 's 't 're 've 'm 'll 'd at pos (case-insensitively when fold is set)
// and returns the position after it, or pos when there is none.
func (f *fragment) contraction(pos int, fold bool) int {
	if f.at(pos) != '\'' || pos+1 >= f.end {
		return pos
	}
	lower := func(r rune) rune {
		if fold && r >= 0 {
			return unicode.ToLower(r)
		}
		return r
	}
	c1 := lower(f.at(pos + 1))
	if c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd' {
		return pos + 2
	}
	if pos+2 < f.end {
		c2 := lower(f.at(pos + 2))
		if (c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l') {
			return pos + 3
		}
	}
	return pos
}

// whitespace handles a run of white space at pos: with newlines (withNL) it ends after the
// last \r or \n of the run (\s*[\r\n]+); otherwise a run followed by more text leaves its last
// character for the next piece (\s+(?!\S)); at the end of the fragment it is taken whole.
func (f *fragment) whitespace(pos int, withNL bool) int {
	n, lastNL := 0, -1
	for f.flags(pos + n).isSpace() {
		if c := f.at(pos + n); c == '\r' || c == '\n' {
			lastNL = pos + n + 1
		}
		n++
	}
	switch {
	case withNL && lastNL >= 0:
		return lastNL
	case n > 1 && f.at(pos+n) != outOfRange:
		return pos + n - 1
	case n > 0:
		return pos + n
	}
	return pos + 1 // no alternative matches: the character stands alone
}

const wordFlags = flagWhitespace | flagLetter | flagNumber

// splitGPT2 scans 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// with the semantics of llama.cpp's unicode_regex_split_custom_gpt2.
func splitGPT2(cps []rune, start, end int, out []span) []span {
	f := &fragment{cps: cps, start: start, end: end, prev: start, out: out}
	for pos := start; pos < end; {
		if e := f.contraction(pos, false); e > pos {
			pos = f.cut(e)
			continue
		}
		c := cps[pos]
		f2 := flagsOf(c)
		if c == ' ' {
			f2 = f.flags(pos + 1)
		}
		class := cpFlags(0)
		switch {
		case f2.isLetter():
			class = flagLetter
		case f2.isNumber():
			class = flagNumber
		case f2&wordFlags == 0 && f2 != 0:
			class = ^cpFlags(0)
		}
		if class != 0 {
			if c == ' ' {
				pos++
			}
			for g := f.flags(pos); g != 0 && inClass(g, class); g = f.flags(pos) {
				pos++
			}
			f.cut(pos)
			continue
		}
		pos = f.cut(f.whitespace(pos, false))
	}
	return f.out
}

// inClass reports whether flags g belong to the letter, number or "other" (all ones) class.
func inClass(g, class cpFlags) bool {
	if class == ^cpFlags(0) {
		return g&wordFlags == 0
	}
	return g&class != 0
}

// llama3Splitter scans (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,k}|
// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ with the semantics of llama.cpp's
// unicode_regex_split_custom_llama3 (k=3); k=1 gives the Qwen2 pattern.
func llama3Splitter(k int) splitter {
	return func(cps []rune, start, end int, out []span) []span {
		f := &fragment{cps: cps, start: start, end: end, prev: start, out: out}
		for pos := start; pos < end; {
			pos = f.llama3Piece(pos, k)
		}
		return f.out
	}
}

func (f *fragment) llama3Piece(pos, k int) int {
	if e := f.contraction(pos, true); e > pos {
		return f.cut(e)
	}
	c := f.cps[pos]
	fl := flagsOf(c)
	if !(c == '\r' || c == '\n' || fl.isNumber()) && (fl.isLetter() || f.flags(pos+1).isLetter()) {
		pos++
		for f.flags(pos).isLetter() {
			pos++
		}
		return f.cut(pos)
	}
	if fl.isNumber() {
		ini := pos
		for f.flags(pos).isNumber() {
			pos++
			if pos-ini >= k {
				ini = f.cut(pos)
			}
		}
		return f.cut(pos)
	}
	f2 := fl
	if c == ' ' {
		f2 = f.flags(pos + 1)
	}
	if f2&wordFlags == 0 && fl != 0 {
		if c == ' ' {
			pos++
		}
		for g := f.flags(pos); g&wordFlags == 0 && g != 0; g = f.flags(pos) {
			pos++
		}
		for c2 := f.at(pos); c2 == '\r' || c2 == '\n'; c2 = f.at(pos) {
			pos++
		}
		return f.cut(pos)
	}
	return f.cut(f.whitespace(pos, true))
}
