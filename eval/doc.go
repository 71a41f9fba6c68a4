// Package eval holds the evaluation data and its scoring: the LongGenBench sets as the
// SCOPE paper builds them (prompt construction and the reference scorer, quirks included),
// the recall task that small trained models can do, the outputs JSONL that runs write and
// resume from, result tables, and a progress line for long runs. It does no inference.
package eval

import "errors"

// Sentinel errors, matched with errors.Is; the returned errors wrap them with context.
var (
	// ErrUnknownSubset: a subset name (or a file whose subset cannot be inferred) that is
	// not one of gsm8k, mmlu, csqa or recall.
	ErrUnknownSubset = errors.New("eval: unknown subset")
	// ErrBadRecord: a JSONL line that does not decode or lacks required fields.
	ErrBadRecord = errors.New("eval: bad record")
	// ErrBadArgument: an argument out of range (for example K outside 1..256 for recall).
	ErrBadArgument = errors.New("eval: bad argument")
)
