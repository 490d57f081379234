// Package engine is the playground worker's per-frame pipeline, kept free of
// syscall/js so it is tested natively: it owns the reused frame buffers the
// browser copies pixels into, runs facelib's stages on them — detect
// (candidates and faces), align (pupils, landmarks, the 150x150 chip), embed
// (the 128 numbers, once the page has sent the weights) and track (IDs,
// trails, time in view, a counting line) — and packs the results with
// package wire. On the live path (detect, pupils, chip, track) it allocates
// nothing per frame.
//
// The worker program (wasm/worker) is only the JavaScript glue around it.
//
// Nothing here infers emotion, age or gender.
package engine
