// Package site builds the playground into a directory of static files and
// serves such a directory over HTTP.
//
// Build copies playground/, compiles every main package under wasm/ with
// GOOS=js GOARCH=wasm (with Go SIMDToolchain where it can be had: then the
// worker twice, worker.wasm with GOEXPERIMENT=simd and worker-scalar.wasm
// without, and js/workers.js saying so), copies the matching wasm_exec.js
// from the same Go toolchain, copies the model files from assets/ and the no-camera clip from
// assets/clips/, and writes precompressed .gz siblings:
//
//	index.html, overlay.html, css/…, js/…, i18n/en.json, i18n/ko.json
//	wasm_exec.js
//	worker.wasm, overlay.wasm              (wasm/<name> → <name>.wasm)
//	worker-scalar.wasm, js/workers.js      (with the SIMD toolchain)
//	models/facefinder, models/puploc, models/lps/<name>
//	models/face_recognition_model-weights_manifest.json
//	models/face_recognition_model.bin
//	media/sample.webm
//	*.gz
//
// Handler serves such a directory with the security headers the playground
// depends on (see Headers) on every response, exact MIME types, gzip
// negotiation through the .gz siblings, revalidation with ETags, and no
// directory listings. SecurityHeaders adds the same headers to any other
// handler mounted beside it.
package site
