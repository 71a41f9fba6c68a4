// Package engine serves many generation requests over one model: a queue, admission by
// KV memory, a step loop that advances every running sequence by a decode token or its
// prompt, per-request sampling, stop strings and KV policy, cancellation and preemption.
//
// The engine holds one KV budget (Options.KVMemory) for all sequences. Each request is
// admitted when its projected need fits what the running ones have not reserved: with a
// decode policy that is the kept prompt plus D + delta and slack, not prompt + T, so more
// compressed generations run at once. A sequence that outgrows its reservation (so the pool runs out)
// is preempted: its memory is freed and it is requeued to be recomputed (prompt plus the tokens it already
// produced) with a larger reservation.
//
// The forward passes go through a Runner. BatchRunner (the default) gives every sequence a
// runtime.Session of one runtime.Batch: all pages come from one shared pool of KVMemory
// bytes, and each step is one forward pass carrying every running sequence's decode token
// plus prompt chunks (the matrix products run over all of them at once). When the pool
// runs out, the sequence whose step could not get a page is preempted.
package engine
