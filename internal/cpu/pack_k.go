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

// q6KPackBlock is the packed Q6_K super-block of sixteen rows: d (f16, 32 bytes), the int8
// scales (scale g of row r at 32+16g+r), -32 times the scales as int16 pairs (scales 2p,
// 2p+1 of row r at 288+64p+4r), the low four bits of the values as nibbles (columns
// 64P+4k+i and 64P+32+4k+i of row r at 800+512P+64k+4r+i, low and high) and their top two
// bits as crumbs (column 128Q+32c+4k+i of row r at bits 2c of 2848+512Q+64k+4r+i).
const q6KPackBlock = 2848 + 16*64

// packQ6K writes groups of sixteen Q6_K rows (nb super-blocks each) in the packed layout.
func packQ6K(dst, src []byte, groups, nb int) {
	rowBytes := nb * q6KSize
	var q [qkK]uint8
	for g := 0; g < groups; g++ {
		for b := 0; b < nb; b++ {
			out := dst[(g*nb+b)*q6KPackBlock : (g*nb+b+1)*q6KPackBlock]
			clear(out)
			for r := 0; r < packRows; r++ {
				off := (g*packRows+r)*rowBytes + b*q6KSize
				blk := src[off : off+q6KSize]
				copy(out[2*r:2*r+2], blk[208:210])
				for s := 0; s < 16; s++ {
					sc := int8(blk[192+s])
					out[32+16*s+r] = byte(sc)
					binary.LittleEndian.PutUint16(out[288+64*(s/2)+4*r+2*(s%2):], uint16(int16(-32*int16(sc))))
				}
				q6KValues(blk, &q)
				for e, v := range q {
					col := e % 32
					k, i := col/4, col%4
					sub := e / 32
					nib := 800 + 512*(sub/2) + 64*k + 4*r + i
					out[nib] |= (v & 0xf) << (4 * (sub % 2))
					cr := 2848 + 512*(sub/4) + 64*k + 4*r + i
					out[cr] |= (v >> 4) << (2 * (sub % 4))
				}
			}
		}
	}
}

// q6KValues unpacks the 256 six-bit values (0..63) of a Q6_K block.
func q6KValues(blk []byte, q *[qkK]uint8) {
	for n := 0; n < 2; n++ {
		ql, qh := blk[64*n:64*n+64], blk[128+32*n:128+32*n+32]
		for l := 0; l < 32; l++ {
			h := qh[l]
			q[128*n+l] = ql[l]&0xf | (h&3)<<4
			q[128*n+l+32] = ql[l+32]&0xf | (h>>2&3)<<4
			q[128*n+l+64] = ql[l]>>4 | (h>>4&3)<<4
			q[128*n+l+96] = ql[l+32]>>4 | (h>>6&3)<<4
		}
	}
}
