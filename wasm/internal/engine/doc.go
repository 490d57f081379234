// Package engine is the playground worker's per-frame pipeline, kept free of
// syscall/js so it is tested natively: it owns the reused frame buffers the
// browser copies pixels into, runs detection → pupils/landmarks → face chip →
// tracking on them, and packs the results with package wire.
//
// The worker program (wasm/worker) is only the JavaScript glue around it.
//
// Nothing here infers emotion, age or gender.
package engine
