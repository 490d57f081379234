package wire

import (
	"errors"
	"fmt"
	"math"
)

// Magic and Version open every message.
const (
	Magic   = 0xFACE
	Version = 3
)

// Header indices.
const (
	HMagic = iota
	HVersion
	HSeq
	HWidth
	HHeight
	HFlags
	HGrab
	HDetect
	HAlign
	HTrack
	HEmbed
	HTotal
	HNumCandidates
	HNumFaces
	HNumTracks
	HLineX1
	HLineY1
	HLineX2
	HLineY2
	HIn
	HOut
	HMinSize
	HMaxSize
	HShift
	HScale
	HEmbedLen
	HChipKey
	HeaderLen
)

// Record sizes (without their variable-length point lists).
const (
	CandidateLen = 4
	FaceFixed    = 10
	TrackFixed   = 10
)

// Caps a decoder enforces; an encoder never writes more.
const (
	MaxCandidates = 4096
	MaxFaces      = 64
	MaxTracks     = 64
	MaxLandmarks  = 64
	MaxTrail      = 128
	MaxSide       = 8192
	MaxEmbedding  = 128
)

// Flags.
const (
	// FlagStill marks a result computed on a still image (a photo, or a
	// frozen video frame), not on a live frame.
	FlagStill = 1 << iota
	// FlagCandidates marks that raw candidates were collected (find scene).
	FlagCandidates
	// FlagChip marks that a 150x150 face chip accompanies the result.
	FlagChip
)

// Errors returned by Decode.
var (
	ErrShort   = errors.New("wire: message too short")
	ErrMagic   = errors.New("wire: bad magic or version")
	ErrCount   = errors.New("wire: count out of range")
	ErrNonReal = errors.New("wire: non-finite value")
)

// Point is a position in video pixels.
type Point struct{ X, Y float32 }

// Timings are the milliseconds each stage took for one frame.
type Timings struct {
	Grab, Detect, Align, Track, Embed, Total float32
}

// Line is the counting line across the frame (track scene).
type Line struct{ X1, Y1, X2, Y2 float32 }

// Sweep describes the cascade's window sweep, so the overlay can animate it.
type Sweep struct {
	MinSize, MaxSize int
	Shift, Scale     float32
}

// Candidate is one raw detection window before clustering.
type Candidate struct {
	X, Y, Size, Q float32
}

// Face is one clustered detection with its optional pupils and landmarks.
type Face struct {
	X, Y, W, H, Score float32
	// Left and Right pupil; NaN coordinates when not located.
	Left, Right Point
	Landmarks   []Point
}

// HasPupils reports whether both pupils were located.
func (f *Face) HasPupils() bool {
	return !isNaN(f.Left.X) && !isNaN(f.Right.X)
}

// TrackState is a track's life stage.
type TrackState int

// Track states.
const (
	Tentative TrackState = iota
	Confirmed
	Lost
)

// Track is one tracked face.
type Track struct {
	ID         int
	X, Y, W, H float32
	State      TrackState
	AgeMs      float32
	// GapMs and RecallDist are set when the track's ID came back from the
	// tracker's memory: how long the face was gone, and the distance between
	// its embedding and the remembered one. RecallDist is NaN otherwise.
	GapMs      float32
	RecallDist float32
	Trail      []Point
}

// Recalled reports whether the track's ID was given back by
// re-identification.
func (t *Track) Recalled() bool { return !isNaN(t.RecallDist) }

// Result is one frame's results. Its slices are reused by Decode.
type Result struct {
	Seq           uint32
	Width, Height int
	Flags         uint32
	Timings       Timings
	Line          Line
	In, Out       int
	Sweep         Sweep
	Candidates    []Candidate
	Faces         []Face
	Tracks        []Track
	// Embedding is the chip's 128-d descriptor when one was computed.
	Embedding []float32
	// ChipKey, when not 0, says the attached chip (FlagChip) is a track's,
	// handed out for embedding: the numbers go back with that key.
	ChipKey uint32
}

// Reset empties r, keeping its storage.
func (r *Result) Reset() {
	*r = Result{Candidates: r.Candidates[:0], Faces: r.Faces[:0], Tracks: r.Tracks[:0], Embedding: r.Embedding[:0]}
}

// AddFace appends a face, reusing the storage of a face previously held in
// that slot, and returns it for filling.
func (r *Result) AddFace() *Face {
	n := len(r.Faces)
	if n < cap(r.Faces) {
		r.Faces = r.Faces[:n+1]
		lm := r.Faces[n].Landmarks[:0]
		r.Faces[n] = Face{Landmarks: lm}
	} else {
		r.Faces = append(r.Faces, Face{})
	}
	return &r.Faces[n]
}

// AddTrack appends a track, reusing the storage of a track previously held in
// that slot, and returns it for filling.
func (r *Result) AddTrack() *Track {
	n := len(r.Tracks)
	if n < cap(r.Tracks) {
		r.Tracks = r.Tracks[:n+1]
		tr := r.Tracks[n].Trail[:0]
		r.Tracks[n] = Track{Trail: tr}
	} else {
		r.Tracks = append(r.Tracks, Track{})
	}
	return &r.Tracks[n]
}

// Append encodes r onto dst and returns the extended slice. Lists longer than
// the caps are truncated to them, so every encoded message decodes.
func (r *Result) Append(dst []float32) []float32 {
	nc := min(len(r.Candidates), MaxCandidates)
	nf := min(len(r.Faces), MaxFaces)
	nt := min(len(r.Tracks), MaxTracks)
	ne := min(len(r.Embedding), MaxEmbedding)
	var h [HeaderLen]float32
	h[HMagic] = Magic
	h[HVersion] = Version
	h[HSeq] = float32(r.Seq)
	h[HWidth] = float32(r.Width)
	h[HHeight] = float32(r.Height)
	h[HFlags] = float32(r.Flags)
	h[HGrab] = r.Timings.Grab
	h[HDetect] = r.Timings.Detect
	h[HAlign] = r.Timings.Align
	h[HTrack] = r.Timings.Track
	h[HEmbed] = r.Timings.Embed
	h[HTotal] = r.Timings.Total
	h[HNumCandidates] = float32(nc)
	h[HNumFaces] = float32(nf)
	h[HNumTracks] = float32(nt)
	h[HLineX1], h[HLineY1], h[HLineX2], h[HLineY2] = r.Line.X1, r.Line.Y1, r.Line.X2, r.Line.Y2
	h[HIn] = float32(r.In)
	h[HOut] = float32(r.Out)
	h[HMinSize] = float32(r.Sweep.MinSize)
	h[HMaxSize] = float32(r.Sweep.MaxSize)
	h[HShift] = r.Sweep.Shift
	h[HScale] = r.Sweep.Scale
	h[HEmbedLen] = float32(ne)
	h[HChipKey] = float32(r.ChipKey)
	dst = append(dst, h[:]...)
	for _, c := range r.Candidates[:nc] {
		dst = append(dst, c.X, c.Y, c.Size, c.Q)
	}
	for i := range r.Faces[:nf] {
		f := &r.Faces[i]
		k := min(len(f.Landmarks), MaxLandmarks)
		dst = append(dst, f.X, f.Y, f.W, f.H, f.Score, f.Left.X, f.Left.Y, f.Right.X, f.Right.Y, float32(k))
		for _, p := range f.Landmarks[:k] {
			dst = append(dst, p.X, p.Y)
		}
	}
	for i := range r.Tracks[:nt] {
		t := &r.Tracks[i]
		n := min(len(t.Trail), MaxTrail)
		dst = append(dst, float32(t.ID), t.X, t.Y, t.W, t.H, float32(t.State), t.AgeMs, t.GapMs, t.RecallDist, float32(n))
		for _, p := range t.Trail[len(t.Trail)-n:] {
			dst = append(dst, p.X, p.Y)
		}
	}
	return append(dst, r.Embedding[:ne]...)
}

// Decode reads one message into r, reusing r's storage. On error r holds
// whatever was read before the error and must not be used.
func Decode(src []float32, r *Result) error {
	r.Reset()
	if len(src) < HeaderLen {
		return fmt.Errorf("%w: %d values, header needs %d", ErrShort, len(src), HeaderLen)
	}
	if src[HMagic] != Magic || src[HVersion] != Version {
		return ErrMagic
	}
	for _, v := range src {
		if isNaN(v) {
			continue // pupils may be NaN; counts are checked below
		}
		if math.IsInf(float64(v), 0) {
			return ErrNonReal
		}
	}
	seq, err := count(src[HSeq], 1<<24)
	if err != nil {
		return fmt.Errorf("seq: %w", err)
	}
	r.Seq = uint32(seq)
	if r.Width, err = count(src[HWidth], MaxSide); err != nil {
		return fmt.Errorf("width: %w", err)
	}
	if r.Height, err = count(src[HHeight], MaxSide); err != nil {
		return fmt.Errorf("height: %w", err)
	}
	flags, err := count(src[HFlags], 1<<16)
	if err != nil {
		return fmt.Errorf("flags: %w", err)
	}
	r.Flags = uint32(flags)
	r.Timings = Timings{src[HGrab], src[HDetect], src[HAlign], src[HTrack], src[HEmbed], src[HTotal]}
	r.Line = Line{src[HLineX1], src[HLineY1], src[HLineX2], src[HLineY2]}
	if r.In, err = count(src[HIn], 1<<24); err != nil {
		return fmt.Errorf("in: %w", err)
	}
	if r.Out, err = count(src[HOut], 1<<24); err != nil {
		return fmt.Errorf("out: %w", err)
	}
	if r.Sweep.MinSize, err = count(src[HMinSize], MaxSide); err != nil {
		return fmt.Errorf("min size: %w", err)
	}
	if r.Sweep.MaxSize, err = count(src[HMaxSize], MaxSide); err != nil {
		return fmt.Errorf("max size: %w", err)
	}
	r.Sweep.Shift, r.Sweep.Scale = src[HShift], src[HScale]
	key, err := count(src[HChipKey], 1<<24)
	if err != nil {
		return fmt.Errorf("chip key: %w", err)
	}
	r.ChipKey = uint32(key)
	nc, err := count(src[HNumCandidates], MaxCandidates)
	if err != nil {
		return fmt.Errorf("candidates: %w", err)
	}
	nf, err := count(src[HNumFaces], MaxFaces)
	if err != nil {
		return fmt.Errorf("faces: %w", err)
	}
	nt, err := count(src[HNumTracks], MaxTracks)
	if err != nil {
		return fmt.Errorf("tracks: %w", err)
	}
	ne, err := count(src[HEmbedLen], MaxEmbedding)
	if err != nil {
		return fmt.Errorf("embedding: %w", err)
	}
	p := src[HeaderLen:]
	if len(p) < nc*CandidateLen {
		return fmt.Errorf("%w: candidates", ErrShort)
	}
	for i := 0; i < nc; i++ {
		q := p[i*CandidateLen:]
		r.Candidates = append(r.Candidates, Candidate{q[0], q[1], q[2], q[3]})
	}
	p = p[nc*CandidateLen:]
	for i := 0; i < nf; i++ {
		if len(p) < FaceFixed {
			return fmt.Errorf("%w: face %d", ErrShort, i)
		}
		k, err := count(p[9], MaxLandmarks)
		if err != nil {
			return fmt.Errorf("face %d landmarks: %w", i, err)
		}
		if len(p) < FaceFixed+2*k {
			return fmt.Errorf("%w: face %d landmarks", ErrShort, i)
		}
		f := r.AddFace()
		f.X, f.Y, f.W, f.H, f.Score = p[0], p[1], p[2], p[3], p[4]
		f.Left, f.Right = Point{p[5], p[6]}, Point{p[7], p[8]}
		for j := 0; j < k; j++ {
			f.Landmarks = append(f.Landmarks, Point{p[FaceFixed+2*j], p[FaceFixed+2*j+1]})
		}
		p = p[FaceFixed+2*k:]
	}
	for i := 0; i < nt; i++ {
		if len(p) < TrackFixed {
			return fmt.Errorf("%w: track %d", ErrShort, i)
		}
		id, err := count(p[0], 1<<24)
		if err != nil {
			return fmt.Errorf("track %d id: %w", i, err)
		}
		st, err := count(p[5], int(Lost))
		if err != nil {
			return fmt.Errorf("track %d state: %w", i, err)
		}
		n, err := count(p[9], MaxTrail)
		if err != nil {
			return fmt.Errorf("track %d trail: %w", i, err)
		}
		if len(p) < TrackFixed+2*n {
			return fmt.Errorf("%w: track %d trail", ErrShort, i)
		}
		t := r.AddTrack()
		t.ID, t.X, t.Y, t.W, t.H, t.State, t.AgeMs, t.GapMs, t.RecallDist = id, p[1], p[2], p[3], p[4], TrackState(st), p[6], p[7], p[8]
		for j := 0; j < n; j++ {
			t.Trail = append(t.Trail, Point{p[TrackFixed+2*j], p[TrackFixed+2*j+1]})
		}
		p = p[TrackFixed+2*n:]
	}
	if len(p) < ne {
		return fmt.Errorf("%w: embedding", ErrShort)
	}
	r.Embedding = append(r.Embedding, p[:ne]...)
	return nil
}

// count converts a float carrying a non-negative integer ≤ max.
func count(v float32, max int) (int, error) {
	if isNaN(v) || v < 0 || v > float32(max) || v != float32(int(v)) {
		return 0, fmt.Errorf("%w: %v (max %d)", ErrCount, v, max)
	}
	return int(v), nil
}

func isNaN(v float32) bool { return v != v }

// NaN is the float32 NaN used for "not located".
var NaN = float32(math.NaN())
