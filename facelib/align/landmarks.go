package align

// LandmarkCascades lists the lps cascade files the landmarks use, in the
// order pigo's examples run them. Only these need to be loaded (each is
// 737 KB), and only when Options.Landmarks is on; the pupils need only the
// puploc cascade.
var LandmarkCascades = []string{"lp46", "lp44", "lp42", "lp38", "lp312", "lp93", "lp84", "lp82", "lp81"}

// Part names a facial landmark point. Left and right are image-left and
// image-right, as for the eyes. The names describe where pigo's lps cascades
// land on our test faces (pigo itself leaves them unnamed).
type Part uint8

// The 15 landmark points, in pigo's order.
const (
	LeftBrowOuter   Part = iota // lp46
	RightBrowOuter              // lp46, mirrored
	LeftBrowMiddle              // lp44
	RightBrowMiddle             // lp44, mirrored
	LeftBrowInner               // lp42
	RightBrowInner              // lp42, mirrored
	LeftEyeInner                // lp38: inner corner of the image-left eye
	RightEyeInner               // lp38, mirrored
	LeftEyeOuter                // lp312: outer corner of the image-left eye
	RightEyeOuter               // lp312, mirrored
	NoseTip                     // lp93
	MouthLeft                   // lp84: image-left mouth corner
	LowerLip                    // lp82: middle of the lower lip
	UpperLip                    // lp81: middle of the upper lip
	MouthRight                  // lp84, mirrored
	NumParts                    // number of landmark points
)

var partNames = [NumParts]string{
	"left brow outer", "right brow outer", "left brow middle", "right brow middle",
	"left brow inner", "right brow inner", "left eye inner", "right eye inner",
	"left eye outer", "right eye outer", "nose tip", "mouth left", "lower lip",
	"upper lip", "mouth right",
}

// String returns the part's name, e.g. "left eye inner".
func (p Part) String() string {
	if p < NumParts {
		return partNames[p]
	}
	return "unknown part"
}

// Cascade returns the lps cascade file the part comes from and whether that
// cascade runs mirrored for it.
func (p Part) Cascade() (name string, mirrored bool) {
	if p >= NumParts {
		return "", false
	}
	s := partSpecs[p]
	return LandmarkCascades[s.cascade], s.flip
}

type partSpec struct {
	cascade int // index into LandmarkCascades
	flip    bool
}

// partSpecs follows pigo's cmd/pigo and wasm examples: each eye-region
// cascade plain then mirrored, the mouth cascades plain, then lp84 mirrored.
var partSpecs = [NumParts]partSpec{
	{0, false}, {0, true}, {1, false}, {1, true}, {2, false}, {2, true},
	{3, false}, {3, true}, {4, false}, {4, true},
	{5, false}, {6, false}, {7, false}, {8, false}, {6, true},
}

// Landmark is one located landmark point.
type Landmark struct {
	Point
	Part Part
}
