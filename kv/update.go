package kv

import "fmt"

// UpdateKind says what a backend must do to mirror one change of the host bookkeeping.
type UpdateKind uint8

const (
	// SetPos writes Pos into the position of slot Dst (-1 invalidates it).
	SetPos UpdateKind = iota + 1
	// CopySlot copies K and V of slot Src into slot Dst; its position follows as a SetPos.
	CopySlot
	// CopyPage copies K, V and every position of page Src into page Dst.
	CopyPage
	// ClearPage sets every position of page Dst to -1.
	ClearPage
)

// Update is one entry of the pool's update log. Src and Pos are -1 where unused.
type Update struct {
	Kind UpdateKind
	Dst  int32 // slot (SetPos, CopySlot) or page (CopyPage, ClearPage)
	Src  int32 // slot (CopySlot) or page (CopyPage)
	Pos  int32 // SetPos only
}

func (u Update) String() string {
	switch u.Kind {
	case SetPos:
		return fmt.Sprintf("pos[%d]=%d", u.Dst, u.Pos)
	case CopySlot:
		return fmt.Sprintf("slot %d->%d", u.Src, u.Dst)
	case CopyPage:
		return fmt.Sprintf("page %d->%d", u.Src, u.Dst)
	case ClearPage:
		return fmt.Sprintf("clear page %d", u.Dst)
	}
	return fmt.Sprintf("update(%d)", u.Kind)
}

// Move is one slot copy made by Compact: the entry in Src now lives in Dst.
type Move struct{ Src, Dst Slot }
