package kv

import (
	"errors"
	"fmt"
	"sync"
)

// Errors returned by the package; check them with errors.Is.
var (
	ErrOutOfPages = errors.New("kv: out of pages")
	ErrInvalid    = errors.New("kv: invalid argument")
	ErrBadSlot    = errors.New("kv: slot not live in this page table")
	ErrClosed     = errors.New("kv: sequence closed")
)

// Slot is a physical slot id: page*PageSize + offset (an alias, so []Slot is []int32).
type Slot = int32

// Config sizes a pool.
type Config struct {
	Layers       int   // transformer layers
	Units        int   // selection units per layer (KV heads or query heads)
	PageSize     int   // token slots per page
	Pages        int   // pages in the pool (see PagesFor)
	BytesPerSlot int64 // bytes of one slot (K, V and position), for accounting only
}

// PagesFor returns how many pages fit in budget bytes when every slot holds bytesPerSlot
// bytes of K and V plus a 4-byte position.
func PagesFor(budget int64, pageSize int, bytesPerSlot int64) int {
	if pageSize <= 0 || bytesPerSlot < 0 || budget <= 0 {
		return 0
	}
	per := int64(pageSize) * (bytesPerSlot + 4)
	return int(budget / per)
}

func (c Config) validate() error {
	switch {
	case c.Layers <= 0 || c.Units <= 0:
		return fmt.Errorf("%w: layers %d and units %d must be positive", ErrInvalid, c.Layers, c.Units)
	case c.PageSize <= 0 || c.PageSize > 1<<15:
		return fmt.Errorf("%w: page size %d (want 1..32768)", ErrInvalid, c.PageSize)
	case c.Pages < 0 || int64(c.Pages)*int64(c.PageSize) > 1<<31-1:
		return fmt.Errorf("%w: %d pages of %d slots do not fit int32 slot ids", ErrInvalid, c.Pages, c.PageSize)
	case c.BytesPerSlot < 0:
		return fmt.Errorf("%w: negative bytes per slot", ErrInvalid)
	}
	return nil
}

// Pool is the global page pool shared by all sequences of one model instance.
type Pool struct {
	mu  sync.Mutex
	cfg Config

	pos     []int32 // (pages*pageSize) logical position per slot, -1 = empty
	freeOff []int32 // (pages*pageSize) per-page stack of free offsets; depth = pageSize-live
	refs    []int32 // (pages) number of page tables listing the page; 0 = in the free list
	live    []int32 // (pages) live slots
	unit    []int32 // (pages) layer*Units+unit the page serves; -1 when free
	owner   []int64 // (pages) table key of the sole owner; -1 shared or not known
	inHoles []bool  // (pages) listed in its owner's list of pages with free slots

	freePages []int32 // stack of free page ids
	updates   []Update
	nextSeq   int64
	lower     lowerState
}

// NewPool allocates the bookkeeping for cfg.Pages pages.
func NewPool(cfg Config) (*Pool, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	n, slots := cfg.Pages, cfg.Pages*cfg.PageSize
	p := &Pool{
		cfg: cfg, pos: make([]int32, slots), freeOff: make([]int32, slots),
		refs: make([]int32, n), live: make([]int32, n), unit: make([]int32, n),
		owner: make([]int64, n), inHoles: make([]bool, n), freePages: make([]int32, n),
	}
	for i := range p.pos {
		p.pos[i] = -1
	}
	for i := range n {
		p.unit[i], p.owner[i] = -1, -1
		p.freePages[i] = int32(n - 1 - i) // pop order: page 0 first
	}
	return p, nil
}

// Config returns the pool's configuration.
func (p *Pool) Config() Config { return p.cfg }

// Pos returns the logical position held by slot, or -1 when the slot is empty or invalid.
func (p *Pool) Pos(s Slot) int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s < 0 || int(s) >= len(p.pos) {
		return -1
	}
	return p.pos[s]
}

// FreePages returns the number of pages in the free list.
func (p *Pool) FreePages() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.freePages)
}

// UsedPages returns the number of pages referenced by at least one sequence.
func (p *Pool) UsedPages() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg.Pages - len(p.freePages)
}

// DrainUpdates appends the pending updates to dst in log order, clears the log and returns
// dst. Passing the previous result's dst[:0] makes it allocation-free in steady state.
func (p *Pool) DrainUpdates(dst []Update) []Update {
	p.mu.Lock()
	defer p.mu.Unlock()
	dst = append(dst, p.updates...)
	p.updates = p.updates[:0]
	return dst
}

// allocPage takes a page from the free list for unit index u, owned by table key.
func (p *Pool) allocPage(u int32, key int64) (int32, error) {
	n := len(p.freePages)
	if n == 0 {
		return -1, fmt.Errorf("%w: all %d pages in use", ErrOutOfPages, p.cfg.Pages)
	}
	pg := p.freePages[n-1]
	p.freePages = p.freePages[:n-1]
	ps := p.cfg.PageSize
	stack := p.freeOff[int(pg)*ps : int(pg+1)*ps]
	for i := range stack {
		stack[i] = int32(ps - 1 - i) // top of stack is offset 0: pages fill in order
	}
	p.refs[pg], p.live[pg], p.unit[pg], p.owner[pg] = 1, 0, u, key
	return pg, nil
}

// unref drops one reference; a page nobody references returns to the free list with
// every position cleared.
func (p *Pool) unref(pg int32) {
	p.refs[pg]--
	if p.refs[pg] > 0 {
		if p.refs[pg] == 1 {
			p.owner[pg] = -1 // the remaining holder is found lazily
		}
		return
	}
	if p.live[pg] > 0 {
		ps := p.cfg.PageSize
		for i := int(pg) * ps; i < int(pg+1)*ps; i++ {
			p.pos[i] = -1
		}
		p.log(Update{Kind: ClearPage, Dst: pg, Src: -1, Pos: -1})
	}
	p.live[pg], p.unit[pg], p.owner[pg], p.inHoles[pg] = 0, -1, -1, false
	p.freePages = append(p.freePages, pg)
}

// takeOffset pops a free offset of page pg and writes pos into it.
func (p *Pool) takeOffset(pg int32, pos int32) Slot {
	ps := p.cfg.PageSize
	depth := ps - int(p.live[pg])
	off := p.freeOff[int(pg)*ps+depth-1]
	p.live[pg]++
	s := Slot(int(pg)*ps + int(off))
	p.pos[s] = pos
	p.log(Update{Kind: SetPos, Dst: int32(s), Src: -1, Pos: pos})
	return s
}

// releaseSlot empties a live slot of an exclusively owned page.
func (p *Pool) releaseSlot(s Slot) {
	ps := p.cfg.PageSize
	pg := int(s) / ps
	depth := ps - int(p.live[pg])
	p.freeOff[pg*ps+depth] = int32(int(s) % ps)
	p.live[pg]--
	p.pos[s] = -1
	p.log(Update{Kind: SetPos, Dst: int32(s), Src: -1, Pos: -1})
}

func (p *Pool) log(u Update) { p.updates = append(p.updates, u) }
