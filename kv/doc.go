// Package kv is the host-side bookkeeping of the paged KV cache: a global pool of pages,
// per-sequence page tables, slot free lists, reference-counted prefix sharing and
// accounting. It holds no tensors; backends mirror its decisions into their own buffers.
//
// # Layout
//
// A unit is the selection unit of the SCOPE policy: a KV head (GQA "group" mode) or a query
// head ("faithful" mode). A page holds PageSize token slots of one (layer, unit): the K (after
// RoPE) and V vectors of each slot plus the slot's logical position. A physical slot id is
// page*PageSize + offset. Position -1 marks an empty (never written or evicted) slot.
//
// Attention for (layer, unit) walks Seq.Table(layer, unit) (a list of page ids) and skips
// slots whose position is negative (and, in causal prefill, positions after the query).
//
// # Mirroring
//
// Every change of the host truth is also appended to the pool's update log, in order:
//
//	SetPos{Dst, Pos}     pos[Dst] = Pos (-1 invalidates the slot)
//	CopySlot{Src, Dst}   copy K and V of slot Src into slot Dst (positions follow as SetPos)
//	CopyPage{Src, Dst}   copy K, V and positions of page Src into page Dst (copy-on-write)
//	ClearPage{Dst}       set every position of page Dst to -1 (page returned with live slots)
//
// The runtime drains the log (Pool.DrainUpdates) before every forward pass and applies it in
// order; the new token's K and V are then written by the forward pass at the slot that
// Seq.Append returned. The log grows until drained, so drain it every step.
//
// # Sharing
//
// Seq.Fork shares every page of a sequence with a new one (reference counts). Any write into
// a shared page, which here only means freeing one of its slots, first copies the page
// (copy-on-write, logged as CopyPage and counted as copied bytes). Appends never write into
// shared pages: they use the unit's own partially filled pages, else a fresh page. Because of
// copy-on-write and compaction, the slot of an entry can change: re-read the page table after
// Free, FreeSlots or Compact instead of caching slot ids.
//
// # Compaction
//
// Compact(layer, unit, rule) moves live slots out of the sparsest exclusively owned pages so
// whole pages return to the pool. It only runs when it pays: with F free slots in the unit's
// own pages, k = floor((F - rule.Reserve) / PageSize) pages can be emptied while Reserve free
// slots stay available for the appends expected before the next refresh (so holes that new
// tokens will fill anyway are not compacted), and the k sparsest pages are emptied only while
// their average live count is at most rule.MaxCopiesPerPage (default PageSize: any freeable
// page). The caller invokes it at refresh steps only. rule.FirstPage leaves leading pages
// (a frozen prompt region) out of both the scan and the moves.
//
// # Backends
//
// Pool.Lower rewrites a drained log for backends whose KV operations are "copy slots (K, V
// and position; the source may be emptied)" and "write positions": ordered copy waves whose
// slots are disjoint (each may run in parallel), then the final host position of every
// touched slot. Copies chain when one drain window holds several mutating calls (a page
// copied on write and then compacted), which the waves keep in order.
//
// # Concurrency
//
// A Pool and all its sequences are guarded by one mutex. A Seq must not be used from two
// goroutines at once, and slices returned by Table stay valid only until that sequence's next
// mutating call.
package kv
