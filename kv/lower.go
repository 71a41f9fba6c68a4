package kv

// Lowered is a drained update log rewritten for a backend with two KV operations: slot
// copies that move K, V and the position (and may empty the source), and position writes.
// Run the copy waves in order (the slots of one wave are disjoint: no slot is both read and
// written, so a wave may run in parallel), then write Pos into Slots: these are the final
// host positions of every slot the log touched, which also restores the sources of
// copy-on-write copies.
type Lowered struct {
	Src, Dst []int32 // slot copies, waves back to back
	WaveEnd  []int   // end offset of each wave in Src/Dst
	Slots    []int32 // slots whose position must be written
	Pos      []int32 // their final positions
}

// Wave returns the copies of wave i.
func (l *Lowered) Wave(i int) (src, dst []int32) {
	start := 0
	if i > 0 {
		start = l.WaveEnd[i-1]
	}
	return l.Src[start:l.WaveEnd[i]], l.Dst[start:l.WaveEnd[i]]
}

// Empty reports whether there is nothing to mirror.
func (l *Lowered) Empty() bool { return len(l.Src) == 0 && len(l.Slots) == 0 }

func (l *Lowered) reset() {
	l.Src, l.Dst, l.WaveEnd = l.Src[:0], l.Dst[:0], l.WaveEnd[:0]
	l.Slots, l.Pos = l.Slots[:0], l.Pos[:0]
}

// lowerState holds per-slot generation stamps so lowering needs no maps.
type lowerState struct {
	gen     uint32
	read    []uint32 // wave generation in which the slot was read
	written []uint32 // wave generation in which the slot was written
	touched []uint32 // lowering generation in which the slot joined Slots
}

// Lower rewrites ups (as returned by DrainUpdates, applied in order) into out, reusing its
// slices. The positions are the pool's current host truth, so call it before the next
// mutating call.
func (p *Pool) Lower(ups []Update, out *Lowered) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ls := &p.lower
	if ls.read == nil || ls.gen > 1<<31 {
		n := len(p.pos)
		*ls = lowerState{read: make([]uint32, n), written: make([]uint32, n), touched: make([]uint32, n)}
	}
	out.reset()
	ls.gen++
	setGen := ls.gen
	ls.gen++ // first wave
	ps := p.cfg.PageSize
	for _, u := range ups {
		switch u.Kind {
		case SetPos:
			p.touch(out, u.Dst, setGen)
		case CopySlot:
			p.lowerCopy(out, u.Src, u.Dst, setGen)
		case CopyPage:
			for off := range int32(ps) {
				p.lowerCopy(out, u.Src*int32(ps)+off, u.Dst*int32(ps)+off, setGen)
			}
		case ClearPage:
			for off := range int32(ps) {
				p.touch(out, u.Dst*int32(ps)+off, setGen)
			}
		}
	}
	if len(out.Src) > 0 {
		out.WaveEnd = append(out.WaveEnd, len(out.Src))
	}
}

func (p *Pool) lowerCopy(out *Lowered, src, dst int32, setGen uint32) {
	ls := &p.lower
	if ls.written[src] == ls.gen || ls.read[dst] == ls.gen || ls.written[dst] == ls.gen {
		out.WaveEnd = append(out.WaveEnd, len(out.Src))
		ls.gen++
	}
	ls.read[src], ls.written[dst] = ls.gen, ls.gen
	out.Src = append(out.Src, src)
	out.Dst = append(out.Dst, dst)
	p.touch(out, src, setGen)
	p.touch(out, dst, setGen)
}

func (p *Pool) touch(out *Lowered, s int32, setGen uint32) {
	if p.lower.touched[s] == setGen {
		return
	}
	p.lower.touched[s] = setGen
	out.Slots = append(out.Slots, s)
	out.Pos = append(out.Pos, p.pos[s])
}
