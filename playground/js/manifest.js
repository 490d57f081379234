// manifest.js — the model files the site carries, written by facewatch build
// from assets/manifest (Go): each page fetches these paths, relative to the
// site's root, and hands the files to the worker by these names.
export const MODELS = Object.freeze({
  faceFinder: { name: "facefinder", path: "models/facefinder" },
  pupils: { name: "puploc", path: "models/puploc" },
  landmarks: [
    { name: "lp46", path: "models/lps/lp46" },
    { name: "lp44", path: "models/lps/lp44" },
    { name: "lp42", path: "models/lps/lp42" },
    { name: "lp38", path: "models/lps/lp38" },
    { name: "lp312", path: "models/lps/lp312" },
    { name: "lp93", path: "models/lps/lp93" },
    { name: "lp84", path: "models/lps/lp84" },
    { name: "lp82", path: "models/lps/lp82" },
    { name: "lp81", path: "models/lps/lp81" },
  ],
  embed: [
    { name: "face_recognition_model-weights_manifest.json", path: "models/face_recognition_model-weights_manifest.json" },
    { name: "face_recognition_model.bin", path: "models/face_recognition_model.bin" },
  ],
});
