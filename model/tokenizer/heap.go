package tokenizer

// bigram is a candidate merge of two adjacent symbols. For SPM, priority is the merged token's
// score (higher first); for BPE it is the negated merge rank (lower rank first). Ties go to the
// leftmost pair, as in llama.cpp's priority queues.
type bigram struct {
	priority    float64
	left, right int
	size        int // combined length in bytes when queued; a mismatch later means stale
}

func (a bigram) before(b bigram) bool {
	return a.priority > b.priority || (a.priority == b.priority && a.left < b.left)
}

// bigramQueue is a binary max-heap of bigrams.
type bigramQueue []bigram

func (q *bigramQueue) push(b bigram) {
	*q = append(*q, b)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h[i].before(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *bigramQueue) pop() bigram {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, r, best := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].before(h[best]) {
			best = l
		}
		if r < len(h) && h[r].before(h[best]) {
			best = r
		}
		if best == i {
			break
		}
		h[i], h[best] = h[best], h[i]
		i = best
	}
	*q = h
	return top
}

// symbol is a run of bytes text[start:start+n] in a doubly linked list of symbols; n == 0
// marks a symbol merged into its left neighbour.
type symbol struct {
	prev, next int
	start, n   int
}

// splitSymbols cuts s into one symbol per UTF-8 sequence, by lead byte (llama.cpp's
// unicode_len_utf8, clamped to the end of s).
func splitSymbols(s string, syms []symbol) []symbol {
	syms = syms[:0]
	for off := 0; off < len(s); {
		n := min(utf8Len(s[off]), len(s)-off)
		i := len(syms)
		next := i + 1
		if off+n == len(s) {
			next = -1
		}
		syms = append(syms, symbol{prev: i - 1, next: next, start: off, n: n})
		off += n
	}
	return syms
}

// mergeInto merges symbol r into its left neighbour l and unlinks r.
func mergeInto(syms []symbol, l, r int) {
	syms[l].n += syms[r].n
	syms[r].n = 0
	syms[l].next = syms[r].next
	if syms[r].next >= 0 {
		syms[syms[r].next].prev = l
	}
}

// mergeAll seeds the queue with every adjacent pair through try (which pushes the pairs
// that may merge), then merges best-first until no pair is left; stale entries (a side
// already merged away or grown) are skipped. SPM and BPE differ only in try's priority.
func mergeAll(syms []symbol, q *bigramQueue, try func(l, r int)) {
	for i := 1; i < len(syms); i++ {
		try(i-1, i)
	}
	for len(*q) > 0 {
		b := q.pop()
		l, r := &syms[b.left], &syms[b.right]
		if l.n == 0 || r.n == 0 || l.n+r.n != b.size {
			continue
		}
		mergeInto(syms, b.left, b.right)
		try(syms[b.left].prev, b.left)
		try(b.left, syms[b.left].next)
	}
}
