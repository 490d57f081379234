// Package detect finds faces in grey images with pigo's facefinder
// cascade, upright or rolled: it owns loading and validating the cascade,
// converting frames to grey, the multi-scale scan (upright, or turned to
// find rolled faces), pigo's clustering, non-maximum suppression and the
// score threshold. It is pure Go (no I/O, builds for js/wasm); the caller
// passes the cascade bytes (assets.FaceFinder for native programs).
//
// # Pipeline
//
// ParseCascade checks the cascade's header, bounds and exact length before
// reading it, so corrupt or hostile bytes give ErrBadCascade instead of the
// panic or huge allocation pigo's own Unpack would produce. A Detector then
// runs pigo v1.4.6's algorithm, reimplemented over the parsed cascade so that
// the per-frame path reuses its buffers and allocates nothing:
//
//  1. scan: square windows from MinSize to MaxSize pixels, growing by
//     ScaleFactor, ShiftFactor*size apart; each window is classified by the
//     cascade (pigo's RunCascade; identical windows and bit-identical
//     scores, checked against pigo in the tests; see Candidates);
//  2. cluster: pigo's ClusterDetections at IoU ClusterIoU, which sums the
//     scores of the merged windows (identical clusters; see Clusters);
//  3. drop clusters scoring below MinScore, sort by score, and suppress a
//     face that overlaps a better one by more than IoUThreshold, measured
//     as intersection over the smaller box, so the nested boxes pigo leaves
//     go too.
//
// Detect finds upright faces: heads rolled by more than about 20 degrees,
// three-quarter and profile views are mostly missed. DetectRotated and
// DetectAngles find rolled heads (see Rolled faces).
//
// # Rolled faces
//
// DetectRotated(g, angle) runs the same scan with every window's cascade
// samples turned by angle about the window's centre (positive is clockwise
// on screen, the sign of align.Roll), so a face rolled by about angle looks
// upright to the cascade. The window grid, clustering, MinScore and
// suppression are Detect's, and the faces come out in g's own coordinates
// with Face.Angle = angle; angle 0 is exactly Detect. Windows whose turned
// samples reach past the border read the border pixels repeated. This is
// pigo's classifyRotatedRegion with two faults fixed: pigo quantises the
// angle to 1/32 of a turn (11.25°) and clamps sample columns to the number
// of rows, so on landscape frames it never sees the part of the image right
// of the column equal to the height (measured: on faceapi-sample2 and
// faceapi-sample3 turned by -12°, pigo at 11.25° found 1 of 2 and 2 of 3
// faces, DetectRotated all of them). Rotating the image into a buffer and
// scanning that would also work, but costs a resampling pass and about
// twice the windows (the turned canvas is larger); turning the samples
// costs nothing extra per window.
//
// Per angle the Detector keeps offset tables like the upright ones (the
// first 64 trees, 32 KB per scale: about 0.74 MB per angle for the 23
// scales of DefaultParams at 640x480), for up to 8 angles; a ninth angle
// reuses the least recently used tables, recomputed without allocating, so
// a tracker may pass a different angle every frame.
//
// DetectAngles(g, angles) runs DetectRotated at each angle and merges the
// results with the usual suppression, so each face is kept once, at its
// best-scoring angle. DefaultAngles (0, ±15°, ±30°, ±45°) is a sweep for
// still images: the cascade tolerates about ±20°, so it covers rolls up to
// about 65° either way. On the labelled photos turned by 0, ±15°, ±30° and
// ±45° (Catmull-Rom, about the centre; ParamsFor the original size), the
// sweep found 18, 18, 18, 18, 17, 18 and 18 of the 18 required faces, where
// Detect alone found 18, 13, 16, 6, 8, 1 and 1 (the miss is the face looking
// down with one eye under hair, whose box comes out too big at -30°).
//
// The price is time and false positives. Measured with BenchmarkRotated on
// the 640x480 frame (DefaultParams, 2 shared cores): Detect 12.5 ms, one
// DetectRotated scan 8.7 to 15.9 ms (its cost depends on how far the
// cascade gets in the frame's windows at that angle), the 7-angle sweep
// 88 ms, about 7 upright scans. Seven scans meet about seven times the
// false positives: over the 14 labelled photos the sweep gave 3 to 14 per
// turn at MinScore 5 where Detect gave none upright, mostly on the cat
// (chelsea.png) and the coins, scoring 5 to 35 while the weakest true faces
// scored about 7. For live video, scan the roll a tracked face was last
// seen at (DetectRotated, or DetectAngles with it and its neighbours) and
// sweep only while nothing is tracked; raise MinScore for sweeps over
// scenes without people. facewatch bench prints the same measurements.
//
// # Choosing the parameters
//
// Measured on the hand-labelled set in assets/testdata (truth.json: 8 photos
// with 18 required faces and 6 optional tilted or profile ones, and 6
// photos without faces), with the rest of DefaultParams (ScaleFactor 1.1),
// MaxSize the shorter side, and MinSize a fraction of the shorter side. A
// face counts as found when a detection has IoU >= 0.5 with its labelled
// box; a false positive (FP) is a detection matching no labelled face.
//
//	MinSize    MinScore  IoU  Shift  found  optional  FP
//	short/8      0       0.3  0.10   18/18    1/6      5
//	short/8      3       0.3  0.10   18/18    1/6      2
//	short/8      5       0.3  0.10   18/18    1/6      0   <- DefaultParams, ParamsFor
//	short/8      8       0.3  0.10   17/18    1/6      0
//	short/10     5       0.3  0.10   18/18    1/6      3
//	short/10     8       0.3  0.10   18/18    1/6      1
//	short/12     0       0.3  0.10   18/18    3/6     12
//	short/12     5       0.3  0.10   18/18    1/6      2
//	short/12     8       0.3  0.10   18/18    1/6      0
//	short/12    12       0.3  0.10   17/18    1/6      0
//	short/16     5       0.3  0.10   17/18    1/6      1
//	short/12     0       0.1  0.10   18/18    3/6     11
//	short/12     0       1.0  0.10   18/18    3/6     14   (no suppression)
//	short/12     5       0.3  0.05   18/18    2/6     12
//	short/12     5       0.3  0.15   16/18    0/6      1
//	short/12     5       0.3  0.20   12/18    0/6      0
//
// The cluster score is a sum over windows, so it grows with the number of
// scales and positions that fire: a smaller MinSize or ShiftFactor raises
// every score (and the FPs) and wants a higher MinScore. The false positives
// that survive low thresholds are face-like patterns: an embroidered badge
// on a sleeve (score 6 to 11), hands on a lap and a chest (about 5.5),
// window frames, a cup and coins (below 4). True faces scored 9.5 to 342 at
// short/12 and 5.2 to 274 at short/8. Steps above 0.1
// lose faces quickly. Suppression removes one or two nested boxes per
// image at low thresholds and never removed a true face.
//
// DefaultParams is for the playground's 640x480 camera frames with someone
// in front of the camera: MinSize 60 (1/8 of 480, which DESIGN measured at
// about 6 ms native), MaxSize 480, ShiftFactor 0.1, ScaleFactor 1.1,
// IoUThreshold 0.3, MinScore 5. ParamsFor(w, h) scales MinSize and MaxSize
// to other frame sizes (1/8 of the shorter side and the shorter side); for
// photos of crowds with smaller faces use 1/12 of the shorter side with
// MinScore 8 at about twice the cost.
//
// The table comes from TestMeasure (FACEWATCH_MEASURE=1 go test -run
// Measure -v ./facelib/detect/).
package detect
