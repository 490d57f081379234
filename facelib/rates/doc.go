// Package rates measures how often face matching is wrong, and what that
// means at scale. It works on comparison scores (distances or similarities),
// not on embeddings, so it serves any matcher; facelib/match makes the
// scores.
//
// # Error rates
//
// Scores holds genuine (mated) and impostor (non-mated) comparison scores
// together with their Polarity (Distances: lower = more similar;
// Similarities: higher = more similar). From it come FMR and FNMR at a
// threshold, ROC and DET curves, the equal error rate, the threshold for a
// target FMR, and histograms.
//
// # Base rates
//
// BaseRate turns a gallery size N, a per-comparison false match rate f, a
// prevalence and a true positive rate into the numbers the playground
// shows: expected false candidates per search (N·f), the probability of at
// least one, and the share of alerts that are right. Crowd scales the same
// computation to M people passing a camera. AlertShare computes the share
// of correct alerts from published counts; PerComparisonRate recovers f
// from a published false-search rate.
//
// Result types (Rate, EER, DETPoint, Histogram, BaseRateResult,
// CrowdResult, AlertShareResult) carry JSON tags for the playground; every
// number in them is finite for valid input. The package is pure Go, does no
// I/O, and builds for GOOS=js GOARCH=wasm.
package rates
