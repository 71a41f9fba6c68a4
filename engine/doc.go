// Package engine serves many generation requests over one model: a queue, admission by
// KV memory, a step loop that advances every running sequence by a decode token or its
// prompt, per-request sampling, stop strings and KV policy, cancellation and preemption.
//
// The engine holds one KV budget (Options.KVMemory) for all sequences. Each request is
// admitted when its projected need fits what the running ones have not reserved: with a
// decode policy that is the kept prompt plus D + delta and slack, not prompt + T, so more
// compressed generations run at once. A sequence that outgrows its reservation is preempted:
// its memory is freed and it is requeued to be recomputed (prompt plus the tokens it already
// produced) with a larger reservation.
//
// The forward passes go through a Runner. SessionRunner runs each sequence in its own
// runtime.Session (its KV pool sized by the reservation) on a bounded set of workers; a
// batched runner that carries the tokens of every sequence in one forward pass over one
// shared page pool can replace it without touching the scheduler.
package engine
