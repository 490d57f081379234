// Package story computes what the playground's two story scenes show, inside
// the worker, with facelib's own code:
//
//   - "Who does the machine think you are?" (the misidentification scene):
//     Extractor finds, aligns and embeds every face in a photo the visitor
//     gave (or a still of the camera), for a gallery that lives only in the
//     page; Rates compares the visitor's enrolled frames with that gallery —
//     the nearest faces, genuine and impostor distance histograms, FMR and
//     FNMR at the visitor's threshold, and the distance at which the nearest
//     stranger becomes "you".
//   - The base-rate panel: BaseRates runs facelib/rates.BaseRate on the
//     page's presets (gallery sizes × false match rates), and
//     PerComparisonRate derives a per-comparison rate from a published
//     per-search figure, so the page, the Go tests and the shared fixture
//     (testdata/baserate.json, checked again by the browser test) show the
//     same numbers.
//
// Handle is the one JSON entry point the worker exposes (fwStory); Faces'
// pixels come in separately (fwStoryFaces). Nothing here keeps a face or an
// embedding between calls: the gallery is the page's, and it is gone when
// the page is.
//
// Nothing here infers emotion, age or gender.
package story
