// Package embed owns the 128-d face embedding: dlib's face recognition ResNet
// (dlib_face_recognition_resnet_model_v1, as converted to tfjs weights by
// face-api.js and shipped by @vladmandic/face-api), run in pure Go.
//
// Load parses the tfjs weights manifest and the quantized weights binary,
// checks every tensor against the network's fixed architecture and prepares
// the weights for a fast forward pass. A Workspace holds every activation
// buffer of one forward pass, so embedding a face allocates nothing; use one
// Workspace per goroutine (the Model itself is read-only and shared).
//
// The input is a 150x150 RGBA face chip, aligned the way dlib's face chips are
// (see package facelib/align). Preprocessing is exactly face-api's: RGB as
// float, minus the mean RGB [122.782, 117.001, 104.298], divided by 255.
//
// The output Descriptor is the network's raw 128-d output, exactly what
// face-api's computeFaceDescriptor returns: it is NOT L2-normalised (its
// Euclidean norm is 1.42–1.59 on the committed face chips, 1.26–1.34 on
// the synthetic ones). Distances between raw
// descriptors are what face-api and dlib threshold (same person below about
// 0.6). Descriptor.Normalized gives the unit-length form for cosine
// similarity.
//
// The forward pass matches face-api on tfjs to within 1e-4 per component
// (tested against golden vectors from tfjs in assets/testdata/chips; the
// measured worst case is 7e-7). It cuts the network's ~271 M multiplies to
// ~90 M: Winograd F(6x6,3x3), F(4x4,3x3) and F(2x2,3x3) for the 3x3 stride-1
// convolutions, the 7x7 stride-2 stem rewritten as a 4x4 convolution over
// the input's polyphase components and run with Winograd F(5x5,4x4), all
// with weights transformed once at load, and a register-blocked,
// bounds-check-free GEMM inner loop. Natively a Workspace may split each
// layer across goroutines (WithThreads); the browser build runs on one. It
// builds for GOOS=js GOARCH=wasm.
//
// Built by Go 1.27 with GOEXPERIMENT=simd, on amd64 (with AVX2 and FMA,
// checked at run time) and js/wasm (SIMD128), the Winograd transforms and
// epilogues run as simd/archsimd vectors and the GEMM's channel loops as Go
// assembly (gemm_simd_kern.go says why); every other build runs the plain
// Go code, and each matches tfjs within the same bound.
//
// The package does no I/O: model bytes and images are passed in.
package embed
