// overlay.js — boots overlay.wasm (wasm/overlay, ebiten) inside the
// transparent overlay iframe. Runs before Go starts, so it can make ebiten's
// canvas cheap on machines without a GPU:
//  - WebGL antialiasing off (ebiten always asks for it; on software GL it
//    cost 40 % of the overlay's frame rate in our measurements),
//  - device pixel ratio 1 (the page already renders this frame at reduced
//    resolution and scales it up with CSS).
/* global Go */
'use strict';
(function () {
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, attrs) {
    if (type === 'webgl2' || type === 'webgl') attrs = Object.assign({}, attrs, { antialias: false });
    return getContext.call(this, type, attrs);
  };
  const go = new Go();
  WebAssembly.instantiateStreaming(fetch('overlay.wasm'), go.importObject)
    .then(({ instance }) => go.run(instance))
    .catch((e) => {
      // The page works without the overlay (no boxes); say why in the console.
      console.error('facewatch overlay:', e);
    });
})();
