package story

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/facewatch/facewatch/facelib/match"
	"github.com/facewatch/facewatch/facelib/rates"
)

// Limits on what one request may carry: far beyond a visitor's gallery,
// small enough that a bad request cannot make the worker allocate much.
const (
	MaxRequestBytes = 4 << 20
	MaxYou          = 64  // enrolment frames
	MaxGallery      = 500 // gallery faces
	MaxPresets      = 256 // base-rate inputs in one request
	MaxBins         = 64
)

// Errors.
var (
	ErrRequest = errors.New("story: bad request")
	ErrNoYou   = errors.New("story: no enrolled face")
)

// HistLo and HistHi are the fixed range of the distance histograms: the
// network's distances between faces fall well inside it, and a fixed axis
// keeps the picture steady while the gallery grows.
const (
	HistLo = 0.0
	HistHi = 1.2
)

// GalleryFace is one face of the visitor's gallery.
type GalleryFace struct {
	ID string `json:"id"`
	// Mine marks a face the visitor says is their own: its distance is a
	// genuine score, not an impostor one.
	Mine      bool      `json:"mine"`
	Embedding []float32 `json:"embedding"`
}

// RatesRequest asks for the comparison of the visitor with their gallery.
type RatesRequest struct {
	// You holds the embeddings of the visitor's enrolment frames.
	You [][]float32 `json:"you"`
	// Gallery holds the faces to search.
	Gallery []GalleryFace `json:"gallery"`
	// Threshold is the Euclidean distance below which a face counts as
	// "you" (dlib's default is 0.6).
	Threshold float64 `json:"threshold"`
	// Bins is the number of histogram bins over [HistLo, HistHi].
	Bins int `json:"bins"`
}

// Ranked is one gallery face with its distance to the visitor.
type Ranked struct {
	ID       string  `json:"id"`
	Distance float64 `json:"distance"`
	Mine     bool    `json:"mine"`
	// Match is Distance < Threshold: the face would be raised as "you".
	Match bool `json:"match"`
}

// RatesReport is what the scene draws.
type RatesReport struct {
	Threshold float64 `json:"threshold"`
	// Ranked lists every gallery face, nearest first (ties by ID).
	Ranked []Ranked `json:"ranked"`
	// Genuine holds the distances between the visitor's own faces: every
	// pair of enrolment frames, and the probe to each face marked Mine.
	Genuine []float64 `json:"genuine"`
	// Impostor holds the distances from the probe to every other face.
	Impostor []float64 `json:"impostor"`
	// Rates at Threshold; FMR is defined only with impostor scores, FNMR
	// only with genuine ones.
	FalseMatches    int     `json:"falseMatches"`
	FalseNonMatches int     `json:"falseNonMatches"`
	FMR             float64 `json:"fmr"`
	FNMR            float64 `json:"fnmr"`
	FMRDefined      bool    `json:"fmrDefined"`
	FNMRDefined     bool    `json:"fnmrDefined"`
	// Histograms of both over [HistLo, HistHi].
	GenuineHist  *rates.Histogram `json:"genuineHist"`
	ImpostorHist *rates.Histogram `json:"impostorHist"`
	// NearestStranger is the impostor face nearest the visitor and its
	// distance: at any threshold above that distance, a stranger is "you".
	NearestStranger         string  `json:"nearestStranger"`
	NearestStrangerDistance float64 `json:"nearestStrangerDistance"`
}

// Probe is the mean of the enrolment embeddings (as face-api's FaceMatcher
// does for a labelled person): steadier than any single frame.
func Probe(you []match.Embedding) (match.Embedding, error) {
	var p match.Embedding
	if len(you) == 0 {
		return p, ErrNoYou
	}
	for i := range you {
		for j := range p {
			p[j] += you[i][j] / float32(len(you))
		}
	}
	return p, p.Validate()
}

func toEmbeddings(vs [][]float32, what string) ([]match.Embedding, error) {
	out := make([]match.Embedding, len(vs))
	for i, v := range vs {
		e, err := match.FromSlice(v)
		if err != nil {
			return nil, fmt.Errorf("%w: %s %d: %w", ErrRequest, what, i, err)
		}
		out[i] = e
	}
	return out, nil
}

// Rates compares the visitor's enrolment with the gallery at a threshold.
func Rates(req RatesRequest) (*RatesReport, error) {
	if len(req.You) == 0 {
		return nil, ErrNoYou
	}
	if len(req.You) > MaxYou || len(req.Gallery) > MaxGallery {
		return nil, fmt.Errorf("%w: %d enrolment frames, %d gallery faces (at most %d and %d)", ErrRequest, len(req.You), len(req.Gallery), MaxYou, MaxGallery)
	}
	if !(req.Threshold > 0) || math.IsInf(req.Threshold, 0) {
		return nil, fmt.Errorf("%w: threshold %v", ErrRequest, req.Threshold)
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
	r := &RatesReport{Threshold: req.Threshold, Genuine: []float64{}, Impostor: []float64{}, Ranked: []Ranked{}}
	for i := range you {
		for j := i + 1; j < len(you); j++ {
			r.Genuine = append(r.Genuine, float64(match.Distance(&you[i], &you[j])))
		}
	}
	seen := make(map[string]bool, len(req.Gallery))
	for i, g := range req.Gallery {
		if g.ID == "" || len(g.ID) > match.MaxIDBytes || seen[g.ID] {
			return nil, fmt.Errorf("%w: gallery face %d has an empty, long or repeated id", ErrRequest, i)
		}
		seen[g.ID] = true
		e, err := match.FromSlice(g.Embedding)
		if err != nil {
			return nil, fmt.Errorf("%w: gallery face %q: %w", ErrRequest, g.ID, err)
		}
		d := float64(match.Distance(&probe, &e))
		r.Ranked = append(r.Ranked, Ranked{ID: g.ID, Distance: d, Mine: g.Mine, Match: d < req.Threshold})
		if g.Mine {
			r.Genuine = append(r.Genuine, d)
		} else {
			r.Impostor = append(r.Impostor, d)
			if r.NearestStranger == "" || d < r.NearestStrangerDistance || (d == r.NearestStrangerDistance && g.ID < r.NearestStranger) {
				r.NearestStranger, r.NearestStrangerDistance = g.ID, d
			}
		}
	}
	sort.SliceStable(r.Ranked, func(i, j int) bool {
		a, b := r.Ranked[i], r.Ranked[j]
		if a.Distance != b.Distance {
			return a.Distance < b.Distance
		}
		return a.ID < b.ID
	})
	if r.GenuineHist, err = rates.NewHistogram(HistLo, HistHi, bins); err != nil {
		return nil, err
	}
	r.ImpostorHist, _ = rates.NewHistogram(HistLo, HistHi, bins)
	for _, d := range r.Genuine {
		r.GenuineHist.Add(d)
	}
	for _, d := range r.Impostor {
		r.ImpostorHist.Add(d)
	}
	// FMR and FNMR with facelib/match's own rule (strict: distance <
	// threshold accepts). Scores needs both lists; each rate is reported
	// only when its list is non-empty.
	gen, imp := r.Genuine, r.Impostor
	if len(gen) > 0 || len(imp) > 0 {
		g, i := gen, imp
		if len(g) == 0 {
			g = []float64{0}
		}
		if len(i) == 0 {
			i = []float64{math.MaxFloat64 / 4}
		}
		s, err := rates.NewScores(g, i, rates.Distances)
		if err != nil {
			return nil, err
		}
		at, err := s.At(req.Threshold)
		if err != nil {
			return nil, err
		}
		if len(imp) > 0 {
			r.FMRDefined, r.FMR, r.FalseMatches = true, at.FMR, at.FalseMatches
		}
		if len(gen) > 0 {
			r.FNMRDefined, r.FNMR, r.FalseNonMatches = true, at.FNMR, at.FalseNonMatches
		}
	}
	return r, nil
}

// BaseRates runs rates.BaseRate on each input, in order.
func BaseRates(in []rates.BaseRateInput) ([]rates.BaseRateResult, error) {
	if len(in) > MaxPresets {
		return nil, fmt.Errorf("%w: %d base-rate inputs (at most %d)", ErrRequest, len(in), MaxPresets)
	}
	out := make([]rates.BaseRateResult, len(in))
	for i, x := range in {
		r, err := rates.BaseRate(x)
		if err != nil {
			return nil, fmt.Errorf("base-rate input %d: %w", i, err)
		}
		out[i] = r
	}
	return out, nil
}

// Request is the JSON the page sends to Handle. Op selects the rest:
//
//	"rates"          RatesRequest's fields        → RatesReport
//	"baseRate"       inputs: []BaseRateInput      → {"results": […]}
//	"perComparison"  p, n                         → {"rate": f}
//	"strangers"      you, threshold, k, bins      → SearchReport (HandleWith only)
//	"distance"       you, face                    → {"distance": d}
type Request struct {
	Op string `json:"op"`
	RatesRequest
	Inputs []rates.BaseRateInput `json:"inputs"`
	P      float64               `json:"p"`
	N      int64                 `json:"n"`
	K      int                   `json:"k"`
	// Face is one embedding to compare with the mean of You ("distance").
	Face []float32 `json:"face"`
}

// Still is the distance of one face (the one in view now) to the mean of
// the enrolment: the "are you still you?" meter.
func Still(you [][]float32, face []float32) (float64, error) {
	if len(you) == 0 {
		return 0, ErrNoYou
	}
	if len(you) > MaxYou {
		return 0, fmt.Errorf("%w: %d enrolment frames (at most %d)", ErrRequest, len(you), MaxYou)
	}
	ys, err := toEmbeddings(you, "enrolment frame")
	if err != nil {
		return 0, err
	}
	p, err := Probe(ys)
	if err != nil {
		return 0, err
	}
	f, err := match.FromSlice(face)
	if err != nil {
		return 0, fmt.Errorf("%w: face: %w", ErrRequest, err)
	}
	return float64(match.Distance(&p, &f)), nil
}

// Handle answers one JSON request with JSON.
func Handle(req []byte) ([]byte, error) { return HandleWith(req, nil) }

// HandleWith is Handle with the bundled stranger gallery, once loaded
// (nil before: a "strangers" request is then an error).
func HandleWith(req []byte, strangers *Strangers) ([]byte, error) {
	if len(req) > MaxRequestBytes {
		return nil, fmt.Errorf("%w: %d bytes (at most %d)", ErrRequest, len(req), MaxRequestBytes)
	}
	var q Request
	if err := json.Unmarshal(req, &q); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRequest, err)
	}
	var out any
	switch q.Op {
	case "rates":
		r, err := Rates(q.RatesRequest)
		if err != nil {
			return nil, err
		}
		out = r
	case "baseRate":
		r, err := BaseRates(q.Inputs)
		if err != nil {
			return nil, err
		}
		out = struct {
			Results []rates.BaseRateResult `json:"results"`
		}{r}
	case "strangers":
		r, err := strangers.Search(SearchRequest{You: q.You, Threshold: q.Threshold, K: q.K, Bins: q.Bins})
		if err != nil {
			return nil, err
		}
		out = r
	case "distance":
		d, err := Still(q.You, q.Face)
		if err != nil {
			return nil, err
		}
		out = struct {
			Distance float64 `json:"distance"`
		}{d}
	case "perComparison":
		f, err := rates.PerComparisonRate(q.P, q.N)
		if err != nil {
			return nil, err
		}
		out = struct {
			Rate float64 `json:"rate"`
		}{f}
	default:
		return nil, fmt.Errorf("%w: unknown op %q", ErrRequest, q.Op)
	}
	return json.Marshal(out)
}
