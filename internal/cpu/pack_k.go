package cpu

import "encoding/binary"

// q4KPackBlock is the packed Q4_K super-block of sixteen rows: d and dmin (f16, 32 bytes
// each), the 6-bit sub-block scales as bytes (scale j of row r at 64+16j+r), the mins as
// int16 pairs (m[2p], m[2p+1] of row r at 192+64p+4r) and the nibbles (sub-block pair p,
// columns 4k..4k+3 of row r at 448+512p+64k+4r: low nibbles sub-block 2p, high 2p+1).
const q4KPackBlock = 448 + 16*128

// packQ4K writes groups of sixteen Q4_K rows (nb super-blocks each) in the packed layout.
func packQ4K(dst, src []byte, groups, nb int) {
	rowBytes := nb * q4KSize
	for g := 0; g < groups; g++ {
		for b := 0; b < nb; b++ {
			out := dst[(g*nb+b)*q4KPackBlock : (g*nb+b+1)*q4KPackBlock]
			for r := 0; r < packRows; r++ {
				off := (g*packRows+r)*rowBytes + b*q4KSize
				blk := src[off : off+q4KSize]
				copy(out[2*r:2*r+2], blk[0:2])
				copy(out[32+2*r:32+2*r+2], blk[2:4])
				sc, m := kScales(blk[4:16])
				for j := 0; j < 8; j++ {
					out[64+16*j+r] = sc[j]
				}
				for p := 0; p < 4; p++ {
					pair := uint32(m[2*p]) | uint32(m[2*p+1])<<16
					binary.LittleEndian.PutUint32(out[192+64*p+4*r:], pair)
				}
				qs := blk[16:]
				for p := 0; p < 4; p++ {
					for k := 0; k < 8; k++ {
						copy(out[448+512*p+64*k+4*r:448+512*p+64*k+4*r+4], qs[32*p+4*k:32*p+4*k+4])
					}
				}
			}
		}
	}
}
