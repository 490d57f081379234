//go:build js

// Command overlay draws the playground's graphics — boxes, track IDs,
// trails, pupils, landmarks, the sweeping detector window — with ebiten in a
// small transparent iframe (overlay.html) laid over the page's <video>.
//
// It reads the latest results from its parent page (window.facewatchFrame,
// same origin) and builds its drawing with package scene. It draws only when
// the page wakes it (fwWake, called on every new result) or while an
// animation runs (ebiten's FPSModeVsyncOffMinimum), so an idle overlay costs
// nothing. It draws graphics and digits only; every word is HTML.
package main
