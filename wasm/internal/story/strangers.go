package story

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/facelib/rates"
)

// The bundled stranger gallery (assets/strangers, built by
// wasm/internal/story/mkstrangers): the 128 numbers of faces the visitor has
// never met, computed ahead of time with the same pipeline the page runs on
// the camera. The page fetches it only when the visitor asks and hands the
// bytes to the worker, which searches it here.

// Limits on a stranger gallery.
const (
	MaxStrangers  = 4096
	MaxStrangerK  = 50 // nearest strangers returned by one search
	MaxManifestKB = 256
)

// ErrStrangers reports a stranger gallery that does not parse, or a search
// before one was loaded.
var ErrStrangers = errors.New("story: bad stranger gallery")

// StrangerManifest is the JSON beside the vectors (assets/strangers/strangers.json).
type StrangerManifest struct {
	Version int `json:"version"`
	// Dim is the length of each vector (match.Dim).
	Dim int `json:"dim"`
	// Vectors names the file of Count×Dim little-endian float32s.
	Vectors string `json:"vectors"`
	// Thumbs names the picture of every face, Cols per row, Size pixels square.
	Thumbs    string `json:"thumbs"`
	ThumbSize int    `json:"thumbSize"`
	ThumbCols int    `json:"thumbCols"`
	// Faces lists the faces in the order of the vectors.
	Faces []StrangerFace `json:"faces"`
}

// StrangerFace is one face of the bundled gallery.
type StrangerFace struct {
	ID string `json:"id"`
	// Index is the face's position in its source (lfw_subset.npy).
	Index int `json:"index"`
	// EyesFound is false when the pupils were estimated from the box.
	EyesFound bool `json:"eyesFound"`
}

// Strangers is a parsed stranger gallery.
type Strangers struct {
	Faces []StrangerFace
	Emb   []match.Embedding
}

// ParseStrangers checks a manifest and its vectors.
func ParseStrangers(manifest, vectors []byte) (*Strangers, error) {
	if len(manifest) > MaxManifestKB<<10 {
		return nil, fmt.Errorf("%w: manifest of %d bytes", ErrStrangers, len(manifest))
	}
	var m StrangerManifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStrangers, err)
	}
	if m.Version != 1 || m.Dim != match.Dim {
		return nil, fmt.Errorf("%w: version %d, %d numbers per face (want 1 and %d)", ErrStrangers, m.Version, m.Dim, match.Dim)
	}
	n := len(m.Faces)
	if n == 0 || n > MaxStrangers {
		return nil, fmt.Errorf("%w: %d faces (want 1..%d)", ErrStrangers, n, MaxStrangers)
	}
	if len(vectors) != n*match.Dim*4 {
		return nil, fmt.Errorf("%w: %d bytes of vectors for %d faces (want %d)", ErrStrangers, len(vectors), n, n*match.Dim*4)
	}
	s := &Strangers{Faces: m.Faces, Emb: make([]match.Embedding, n)}
	seen := make(map[string]bool, n)
	for i, f := range m.Faces {
		if f.ID == "" || len(f.ID) > match.MaxIDBytes || seen[f.ID] {
			return nil, fmt.Errorf("%w: face %d has an empty, long or repeated id", ErrStrangers, i)
		}
		seen[f.ID] = true
		for j := range s.Emb[i] {
			s.Emb[i][j] = math.Float32frombits(binary.LittleEndian.Uint32(vectors[4*(i*match.Dim+j):]))
		}
		if err := s.Emb[i].Validate(); err != nil {
			return nil, fmt.Errorf("%w: face %q: %w", ErrStrangers, f.ID, err)
		}
	}
	return s, nil
}

// Warm runs one search of the gallery's first face and encodes it, so the
// visitor's first search does not pay the one-off costs (encoding/json's
// type caches, the browser compiling the search code on first use).
func (s *Strangers) Warm() error {
	if s == nil || len(s.Emb) == 0 {
		return fmt.Errorf("%w: none loaded", ErrStrangers)
	}
	r, err := s.Search(SearchRequest{You: [][]float32{s.Emb[0][:]}, Threshold: 0.6})
	if err != nil {
		return err
	}
	_, err = json.Marshal(r)
	return err
}

// SearchRequest asks for the strangers nearest the visitor.
type SearchRequest struct {
	You       [][]float32 `json:"you"`
	Threshold float64     `json:"threshold"`
	// K is how many nearest strangers to return (default 10).
	K    int `json:"k"`
	Bins int `json:"bins"`
}

// Near is one stranger with its distance to the visitor.
type Near struct {
	ID        string  `json:"id"`
	Index     int     `json:"index"`
	Pos       int     `json:"pos"` // position in the gallery (and its thumbnail)
	Distance  float64 `json:"distance"`
	Match     bool    `json:"match"`
	EyesFound bool    `json:"eyesFound"`
	// Move is how far the threshold must rise for this stranger to be
	// "you": 0 when Distance is already below it.
	Move float64 `json:"move"`
}

// SearchReport is the answer to a search of the whole gallery.
type SearchReport struct {
	N         int     `json:"n"`
	Threshold float64 `json:"threshold"`
	Nearest   []Near  `json:"nearest"`
	// Matches is the number of strangers below the threshold (each one a
	// false match), and FMR Matches/N.
	Matches int     `json:"matches"`
	FMR     float64 `json:"fmr"`
	// Distances holds every stranger's distance, ascending: the page counts
	// the strangers below any threshold without asking again.
	Distances []float64        `json:"distances"`
	Hist      *rates.Histogram `json:"hist"`
}

// Search compares the mean of the visitor's enrolment with every stranger.
func (s *Strangers) Search(req SearchRequest) (*SearchReport, error) {
	if s == nil || len(s.Emb) == 0 {
		return nil, fmt.Errorf("%w: none loaded", ErrStrangers)
	}
	if len(req.You) == 0 {
		return nil, ErrNoYou
	}
	if len(req.You) > MaxYou {
		return nil, fmt.Errorf("%w: %d enrolment frames (at most %d)", ErrRequest, len(req.You), MaxYou)
	}
	if !(req.Threshold > 0) || math.IsInf(req.Threshold, 0) {
		return nil, fmt.Errorf("%w: threshold %v", ErrRequest, req.Threshold)
	}
	k := req.K
	if k == 0 {
		k = 10
	}
	if k < 1 || k > MaxStrangerK {
		return nil, fmt.Errorf("%w: k %d (want 1..%d)", ErrRequest, k, MaxStrangerK)
	}
	bins := req.Bins
	if bins == 0 {
		bins = 24
	}
	if bins < 1 || bins > MaxBins {
		return nil, fmt.Errorf("%w: %d bins", ErrRequest, bins)
	}
	you, err := toEmbeddings(req.You, "enrolment frame")
	if err != nil {
		return nil, err
	}
	probe, err := Probe(you)
	if err != nil {
		return nil, err
	}
	all := make([]Near, len(s.Emb))
	for i := range s.Emb {
		d := float64(match.Distance(&probe, &s.Emb[i]))
		f := s.Faces[i]
		all[i] = Near{ID: f.ID, Index: f.Index, Pos: i, Distance: d, Match: d < req.Threshold, EyesFound: f.EyesFound, Move: math.Max(0, d-req.Threshold)}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Distance != all[j].Distance {
			return all[i].Distance < all[j].Distance
		}
		return all[i].ID < all[j].ID
	})
	r := &SearchReport{N: len(all), Threshold: req.Threshold, Distances: make([]float64, len(all))}
	if r.Hist, err = rates.NewHistogram(HistLo, HistHi, bins); err != nil {
		return nil, err
	}
	for i, x := range all {
		r.Distances[i] = x.Distance
		r.Hist.Add(x.Distance)
		if x.Match {
			r.Matches++
		}
	}
	r.FMR = float64(r.Matches) / float64(r.N)
	r.Nearest = all[:min(k, len(all))]
	return r, nil
}
