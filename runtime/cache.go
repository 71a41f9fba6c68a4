package runtime

import "fmt"

// kvCache maps a session's token positions to physical KV slots and page tables.
// The contiguous cache gives every (layer, unit) a fixed run of pages; the SCOPE cache
// (package kv with a scope policy) frees and reuses slots.
type kvCache interface {
	// Append reserves slots for tokens at positions pos in every layer and returns, per
	// layer, len(pos)*Units() slots (token-major).
	Append(pos []int32) ([][]int32, error)
	// Tables returns layer's page table per unit.
	Tables(layer int) [][]int32
	Units() int
	UnitsPerKVHead() int
	// Reset forgets every entry.
	Reset()
}

// contigCache lays each (layer, unit) out on its own consecutive pages: position p lives in
// slot base + p. It never evicts.
type contigCache struct {
	nLayers, units, pageSize, pagesPerUnit int
	used                                   int // positions appended so far
	tables                                 [][][]int32
	slots                                  [][]int32
}

func newContigCache(nLayers, units, ctxLen, pageSize int) *contigCache {
	c := &contigCache{nLayers: nLayers, units: units, pageSize: pageSize,
		pagesPerUnit: (ctxLen + pageSize - 1) / pageSize}
	c.tables = make([][][]int32, nLayers)
	for l := range c.tables {
		c.tables[l] = make([][]int32, units)
		for u := range c.tables[l] {
			c.tables[l][u] = make([]int32, c.pagesPerUnit)
			for i := range c.tables[l][u] {
				c.tables[l][u][i] = int32((l*units+u)*c.pagesPerUnit + i)
			}
		}
	}
	c.slots = make([][]int32, nLayers)
	return c
}

func (c *contigCache) numPages() int { return c.nLayers * c.units * c.pagesPerUnit }

func (c *contigCache) Append(pos []int32) ([][]int32, error) {
	for _, p := range pos {
		if int(p) >= c.pagesPerUnit*c.pageSize || p < 0 {
			return nil, fmt.Errorf("%w: position %d beyond %d", ErrContextFull, p, c.pagesPerUnit*c.pageSize)
		}
		c.used = max(c.used, int(p)+1)
	}
	for l := range c.slots {
		s := c.slots[l][:0]
		for _, p := range pos {
			for u := 0; u < c.units; u++ {
				s = append(s, int32((l*c.units+u)*c.pagesPerUnit*c.pageSize)+p)
			}
		}
		c.slots[l] = s
	}
	return c.slots, nil
}

func (c *contigCache) Tables(layer int) [][]int32 {
	n := (c.used + c.pageSize - 1) / c.pageSize
	out := make([][]int32, c.units)
	for u := range out {
		out[u] = c.tables[layer][u][:n]
	}
	return out
}

func (c *contigCache) Units() int          { return c.units }
func (c *contigCache) UnitsPerKVHead() int { return 1 }
func (c *contigCache) Reset()              { c.used = 0 }
