// Package run measures what KV-cache policies do to a model's quality, memory and speed,
// the way the SCOPE paper evaluates them: sweeps of prefill methods, decode policies and
// budgets on the recall task (resumable from a journal of finished runs), greedy fidelity
// against the full cache (token agreement and KL divergence under forced decoding), the
// heavy-hitter drift probe, and LongGenBench generation with resumable outputs.
//
// Budgets are ratios, as in the paper's tables: the prefill budget P is a fraction of the
// prompt length N, the decode budget D a fraction of the output length T. The unified
// baselines (H2O, StreamingLLM) keep the same total N+D as SCOPE with a full prefill.
//
// Results are deterministic: generation is greedy and every configuration runs on its own
// single-threaded model, so the same sweep gives the same JSON. Only tokens per second,
// kept in separate Timing fields, vary between runs.
package run
