// Package scene turns one frame's results (package wire) and the page's
// scene state into a display list of simple shapes — rectangles, lines,
// circles and digits drawn as blocks — in video pixel coordinates. The
// overlay program (wasm/overlay) only strokes that list with ebiten; keeping
// the geometry here means it is tested natively and needs no GPU.
//
// The overlay draws graphics and digits only: every word a visitor reads is
// HTML on the page, in the visitor's language.
package scene
