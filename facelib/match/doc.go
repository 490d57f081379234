// Package match owns what an importer does with a face's 128 numbers:
// comparing embeddings and searching galleries. Measuring error rates and
// the base-rate arithmetic of large galleries are in facelib/rates, which
// works on scores, not embeddings: a program that only identifies faces
// needs none of it.
//
// # Embeddings and distances
//
// An Embedding is a [128]float32 exactly as facelib/embed (and face-api)
// produce it: not L2-normalised (norms of 1.4–1.6 on the committed test
// faces). Vectors from outside (JSON, float64 slices) are validated on entry: NaN, ±Inf, components
// beyond MaxComponent and zero vectors are rejected with an error wrapping
// ErrBadEmbedding.
//
// Two embeddings are compared by Euclidean Distance. Following dlib and
// face-api, two faces are judged the same person when the distance is
// strictly below DefaultThreshold (0.6). Every threshold in this package is
// a Euclidean distance (lower = more similar) unless stated otherwise.
// Cosine similarity is offered for display and analysis.
//
// # Galleries
//
// A Gallery holds enrolled embeddings by string ID; one ID may own several
// embeddings (photos of the same person), and comparisons against an ID use
// the best (smallest) distance among them. Verify is a 1:1 check against
// one ID; Search is a 1:N search returning the k nearest IDs into a
// caller-owned buffer, with no allocation per search. Storage is one flat
// []float32, scanned front to back; removal keeps it compact. Results are
// exactly those of an exhaustive exact search (ties broken by ID), however
// the rows happen to be ordered. A Gallery is safe for concurrent use
// (readers share a lock; writers are exclusive).
//
// Go does not vectorise, so a scan is bound by scalar float operations:
// the distance kernels are generated fully unrolled (kernels.go, go
// generate), and Search rules rows out with a dot-product estimate before
// measuring the survivors exactly. BenchmarkSearchVsScan compares a 1M
// search with plain loops over the same 512 MB.
//
// Result types (Candidate, Verification) carry JSON tags for the playground
// and the CLI; every number in them is finite for valid input.
//
// The package is pure Go, does no I/O, and builds for GOOS=js GOARCH=wasm.
// It compares faces only: it infers nothing else about a person.
package match
