//go:build js

// Command worker is the playground's face pipeline, compiled to WebAssembly
// and run in a Web Worker (playground/js/worker.js loads it). The page
// fetches the model files and transfers them in; frames arrive as the Y
// plane of a transferred VideoFrame or as RGBA ImageData, are copied into a
// reused Go buffer, and results go back as one packed Float32Array (package
// wire) plus, in the find scene, the 150x150 face chip.
//
// Only syscall/js and the pipeline (facelib/detect, align, track, embed) are
// linked in: no ebiten, no image decoders.
//
// Functions it installs on the worker's global object:
//
//	fwLoad(name string, bytes Uint8Array) string        // "" or an error message
//	fwProcess(format, width, height int, pixels Uint8Array, options int, grabMs number) int
//	                                                    // result length in bytes, or -1 (see fwError)
//	fwError() string                                    // the last error message
//	fwRead(dst Uint8Array)                              // copy the last result into dst
//	fwChip(dst Uint8Array) bool                         // copy the last chip (150*150*4 RGBA)
//	fwClose()                                           // release everything and exit
//	fwStory(json string) {json} | {error}               // story scenes: rates, base rates (wasm/internal/story)
//	fwStoryFaces(width, height int, rgba Uint8Array) {json} | {error}
//	                                                    // every face of a still, embedded, as JSON
//	fwStoryChips(dst Uint8Array) int                    // copy those faces' chips (150*150*4 each)
//
// format: 0 grey (Y plane), 1 RGBA, 2 BGRA. options: bit 0 candidates,
// 1 pupils, 2 landmarks, 3 chip, 4 track, 5 still, 6 embed. Model names are
// the engine's: facefinder, puploc, lp38 …, and the two recognition files
// (face_recognition_model-weights_manifest.json, face_recognition_model.bin).
package main
