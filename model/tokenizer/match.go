package tokenizer

// The pre-tokenizer regexes that llama.cpp runs through std::regex are simple enough to be
// matched by hand: each matcher below returns the length of the match anchored at pos (0 for
// none), with ECMAScript's greedy, backtracking semantics for that one pattern.
//
// llama.cpp feeds std::regex either a "collapsed" text (patterns with \p{..}: every non-ASCII
// code point replaced by a byte standing for its category) or the code points themselves with
// non-ASCII white space replaced by U+000B (patterns without \p{..}). The predicates below
// reproduce both views: \p{L}, \p{N}, \p{P} and \s agree with the code point flags, and literal
// classes see non-ASCII white space as U+000B.

type matcher func(cps []rune, pos, end int) int

type runePred func(r rune) bool

// regexView is how a literal character class sees r under llama.cpp's std::wregex input.
func regexView(r rune) rune {
	if r > 0x7F && isWhitespace(r) {
		return 0x0B
	}
	return r
}

// matchSplitter cuts each fragment at the leftmost non-overlapping matches of m, keeping the
// text between matches as pieces of their own (std::regex_iterator as llama.cpp uses it).
func matchSplitter(m matcher) splitter {
	return func(cps []rune, start, end int, out []span) []span {
		prev := start
		for pos := start; pos < end; {
			n := m(cps, pos, end)
			if n == 0 {
				pos++
				continue
			}
			if pos > prev {
				out = append(out, span{prev, pos})
			}
			out = append(out, span{pos, pos + n})
			pos += n
			prev = pos
		}
		if prev < end {
			out = append(out, span{prev, end})
		}
		return out
	}
}

// runLen counts the characters from pos that satisfy p, up to max (0: no limit).
func runLen(cps []rune, pos, end, max int, p runePred) int {
	n := 0
	for pos+n < end && (max == 0 || n < max) && p(cps[pos+n]) {
		n++
	}
	return n
}

// classRun matches [class]+ (max 0) or [class]{1,max}.
func classRun(p runePred, max int) matcher {
	return func(cps []rune, pos, end int) int { return runLen(cps, pos, end, max, p) }
}

// optPrefixRun matches prefix?[class]+: the optional prefix is taken greedily and given back
// when the class cannot follow it.
func optPrefixRun(prefix, p runePred) matcher {
	return func(cps []rune, pos, end int) int {
		if prefix(cps[pos]) {
			if n := runLen(cps, pos+1, end, 0, p); n > 0 {
				return 1 + n
			}
		}
		return runLen(cps, pos, end, 0, p)
	}
}

// exactRun matches exactly n characters of the class ([0-9][0-9][0-9]).
func exactRun(p runePred, n int) matcher {
	return func(cps []rune, pos, end int) int {
		if runLen(cps, pos, end, n, p) == n {
			return n
		}
		return 0
	}
}

// trailingSpace splits off the white space at the end of a fragment (\s+$).
func trailingSpace(cps []rune, start, end int, out []span) []span {
	j := end
	for j > start && isWhitespace(cps[j-1]) {
		j--
	}
	if j > start {
		out = append(out, span{start, j})
	}
	if j < end {
		out = append(out, span{j, end})
	}
	return out
}

// Predicates shared by the patterns.

func isSpaceRune(r rune) bool  { return isWhitespace(r) }
func isSpaceChar(r rune) bool  { return r == ' ' }
func isNewline(r rune) bool    { return r == '\r' || r == '\n' }
func isLetterRune(r rune) bool { return flagsOf(r).isLetter() }
func isNumberRune(r rune) bool { return flagsOf(r).isNumber() }
func isPunctRune(r rune) bool  { return flagsOf(r).isPunct() }
func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

// punctOr matches \p{P} or one of the listed ASCII characters (falcon's and the default
// pattern's [\p{P}\$\+<=>\^~\|`]).
func punctOr(extra string) runePred {
	var set [128]bool
	for i := 0; i < len(extra); i++ {
		set[extra[i]] = true
	}
	return func(r rune) bool { return isPunctRune(r) || (r >= 0 && r < 128 && set[r]) }
}

// rangeClass is a literal character class of inclusive code point ranges, seen through
// regexView.
type rangeClass [][2]rune

func (rc rangeClass) has(r rune) bool {
	r = regexView(r)
	for _, x := range rc {
		if r >= x[0] && r <= x[1] {
			return true
		}
	}
	return false
}

// notNorSpace is the negated class [^(\s|...)]: neither in rc nor white space.
func (rc rangeClass) notNorSpace(r rune) bool { return !rc.has(r) && !isWhitespace(r) }
