// Package runtime is the embedding API: open a model, create sessions, generate text.
//
// The package name shadows the standard library's runtime; import it under another name,
// e.g. `import scope "github.com/scopekv/scope/runtime"`.
//
// Open loads a GGUF file or a llama2.c checkpoint onto a backend (Config.Backend: "auto"
// prefers a hardware Vulkan GPU and otherwise uses the SIMD CPU backend); OpenModel does
// the same for a model already in memory. Model.NewSession allocates one sequence's KV
// cache, and Session.Generate tokenizes a prompt, evaluates it and samples new tokens,
// streaming the text through GenerateOptions.Stream (first the prompt, then each new
// piece) and stopping at end of text, MaxTokens, a full context or a stop string.
//
// # Many sequences
//
// Model.NewBatch allocates one KV store and page pool for many sequences; Batch.NewSession
// adds one (each with its own KV policy), and Batch.Step runs a step of all of them in one
// forward pass: the matrix products read the weights once for every sequence's tokens,
// attention goes through each sequence's own pages. With greedy sampling each sequence
// gets the tokens it would get alone. A prompt that begins like a decoding sequence's
// prompt shares its leading pages. Package engine schedules requests over a Batch.
//
// # Concurrency
//
// A Model is safe for concurrent use: several goroutines may each drive their own Session
// of one Model (the device runs one forward step at a time). A Session serves one call at
// a time: a call made while another runs on it returns ErrBusy. Session.Close frees a
// session's device memory and KV pages (close sessions you no longer need, forks
// included); Model.Close may come at any time, from any goroutine: it stops the running
// calls (they return ErrClosed) and frees everything. See docs/reliability.md.
//
// # Errors
//
// Errors are typed and checked with errors.Is: ErrBadConfig for invalid options,
// ErrContextFull when a prompt or generation does not fit the context, ErrNoDevice when
// the chosen backend cannot run here, ErrOutOfMemory and ErrDeviceLost from the device,
// ErrOutOfPages when a bounded KV pool is full, ErrUnsupported for a model this runtime
// cannot run, ErrClosed after Close, ErrBusy for a second call on a busy session,
// ErrCallback when a callback panics. A canceled context stops a generation with the
// context's error. Sizes are checked against the device's memory before anything is
// allocated.
package runtime
