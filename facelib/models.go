package facelib

// Models holds the model files a Pipeline runs on, as bytes. facelib never
// reads files or the network itself: the caller supplies the bytes. Package
// github.com/facewatch/facewatch/assets embeds the standard set for native
// programs (assets.Models()); the browser build fetches the same files.
type Models struct {
	// FaceFinder is pigo's facefinder cascade (face detection). Required.
	FaceFinder []byte
	// PupilLocator is pigo's puploc cascade (pupil localisation). Needed for alignment.
	PupilLocator []byte
	// Landmarks holds pigo's lps landmark cascades by file name ("lp38",
	// "lp42", …). Optional: without them no landmarks are reported.
	Landmarks map[string][]byte
	// EmbedManifest and EmbedWeights are the tfjs weights manifest (JSON) and
	// the quantized weights binary of the 128-d face recognition network.
	// Optional: without them the Pipeline detects, aligns and tracks but does
	// not embed.
	EmbedManifest []byte
	EmbedWeights  []byte
}
