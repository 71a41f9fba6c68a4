// Package scope implements SCOPE KV-cache compression (the SCOPE paper, arXiv 2412.13649)
// and its baselines as pure policy over scores and counters. It never touches tensors: the
// runtime's attention kernels produce scores, package kv holds the pages, and a Manager per
// sequence decides which slots to keep. "The reference" means the paper authors' code.
//
// # Methods
//
// Prefill (once, after the last prompt chunk): Full, SnapKV (window w, pooling kernel k,
// max or avg), PyramidKV (SnapKV scores, per-layer budgets with beta; a uniform P when the
// prompt is shorter than 2(P-w)), H2O (causal cumulative attention accumulated chunk by
// chunk), StreamingLLM (first P-w plus last w, w = P/2 by default). Each layer records the
// count P_l it really keeps, and decode protects exactly those entries: a prompt shorter
// than P keeps all N entries and P_l = N.
//
// Decode: None, Slide, Adaptive, Discontinuous (SCOPE), the unified H2O baseline (prompt and
// decode entries compete; keep the top P_l+D-R plus the newest R) and StreamingLLM (keep the
// first P_l+D-R entries plus the newest R). Scores are the current query's attention only,
// with no history across steps; entries are evicted after the step attended over them; the
// recent window is the newest R positions, the new token included. The step counter (s = 1
// for the first decode pass after the prefill), delta and the Discontinuous phase are per
// sequence, never shared across layers or requests; delta comes from each request's own
// max_new_tokens (clamped by Config.ExpectedTokens), the refresh period is a parameter that
// defaults to delta+1, and nothing is ever copied wholesale: evictions free slots and
// compaction moves only the pages worth freeing, at refresh steps.
//
// # Ranking
//
// Higher score first; equal scores keep the lower (older) position. NaN counts as -Inf.
// Decode scores are the attention probabilities in fp32 (not rounded to fp16, so few
// ties). In GQA group mode a unit is a KV head and its score is the mean probability over
// its query heads; in faithful mode a unit is a query head with its own copy of its KV
// head's entries. Prefill scores are pooled per query head, then averaged over the group.
//
// # Runtime loop
//
//	m, _ := scope.NewManager(cfg, pool, shape, maxNewTokens)
//	for each prompt chunk:
//	    slots, _ := m.AppendPrompt(pos0, n)  // write K/V at m.LayerSlots(l): (n, units)
//	    forward pass over the chunk          // attention reads m.Seq().Table(l, u)
//	    (H2O: feed each layer's H2OAccumulator; SnapKV: keep the window's probabilities)
//	for each layer with m.PrefillNeedsScores(l):
//	    m.PrefillLayer(l, scores, stride)     // (Heads, stride) over prompt positions
//	for each decode step:
//	    plan, _ := m.Begin(pos)              // new token's slot in every (layer, unit)
//	    drain pool updates, forward pass     // with scores when plan.NeedScores
//	    if plan.NeedScores: m.Observe(l, probs, m.ScoreStride(l)...) for every layer
//	    m.End()                              // evictions, compaction, accounting
//	report := m.Report()                     // JSON-ready accounting
//	m.Close()
//
// Decode scores are indexed in page-table order: probs[h*stride + i] is query head h's
// probability of slot i of its unit's table (i = pageIndex*PageSize + offset), exactly as the
// backend's Attention op writes them. Between Begin and Observe the page tables do not change.
// The runtime must apply the pool's update log (kv.Pool.DrainUpdates, or Pool.Lower for
// backends with slot-copy and position-write ops) before every forward pass.
//
// A Manager is not safe for concurrent use; different sequences may run concurrently.
package scope
