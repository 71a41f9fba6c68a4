// kv.glsl: the paged KV store. K and V are float vectors of headDim per physical slot,
// kept in up to KV_CHUNKS buffers of whole pages (slot s lives in chunk s / slotsPerChunk
// at vector s % slotsPerChunk), so that no descriptor exceeds maxStorageBufferRange.
// Positions are one int per slot (-1 = empty).

#define KV_CHUNKS 8

// NEG is below every real logit; it stands for "no live slot" without relying on
// infinities (exp(-inf) under fast math is not guaranteed to be 0).
#define NEG (-3.0e38)

// MAX_HD is the largest headDim the attention kernels take.
#define MAX_HD 256u
