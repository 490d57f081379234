// workers.js — which worker builds the site carries. This file, as kept in
// the source tree, says: worker.wasm only, built without wasm SIMD.
// facewatch build and serve replace it when they also build the wasm SIMD
// worker (worker.wasm with SIMD, worker-scalar.wasm as the fallback).
export const simdWorker = false;
