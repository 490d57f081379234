// Package sprite computes the overlay's sprite sheet: a white anti-aliased
// disc and a white square, from which wasm/overlay draws every shape as a
// scaled copy, so ebiten batches a whole frame into one draw call.
//
// The pixels are computed in plain Go rather than drawn with ebiten's vector
// package: at the overlay's start-up, which runs on the page's main thread,
// that saves the vector package's shader compilation and stencil passes
// (about 100 ms in headless Chromium with software GL) and its code in the
// wasm. sprite owns the pixels only: no syscall/js, so it is tested natively.
package sprite
