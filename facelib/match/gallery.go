package match

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
)

// MaxIDBytes is the longest ID a Gallery accepts.
const MaxIDBytes = 256

// maxRows caps the number of embeddings in one Gallery so that row indices
// fit in int32 (2³¹−1 rows would be 1 TB of floats: far beyond any real use).
const maxRows = math.MaxInt32

var (
	// ErrBadID reports an empty ID or one longer than MaxIDBytes.
	ErrBadID = errors.New("match: bad gallery ID")
	// ErrUnknownID reports an ID that is not enrolled.
	ErrUnknownID = errors.New("match: unknown gallery ID")
	// ErrNoEmbeddings reports an Add or Replace without any embedding.
	ErrNoEmbeddings = errors.New("match: no embeddings given")
	// ErrBadK reports a non-positive result count for Search.
	ErrBadK = errors.New("match: k must be positive")
	// ErrBadThreshold reports a threshold that is not a positive finite
	// number.
	ErrBadThreshold = errors.New("match: bad threshold")
	// ErrGalleryFull reports a gallery that cannot take more embeddings.
	ErrGalleryFull = errors.New("match: gallery full")
)

// Candidate is one result of a 1:N search: an enrolled ID, its best
// Euclidean distance to the probe, and whether that distance is below the
// gallery's threshold.
type Candidate struct {
	ID       string  `json:"id"`
	Distance float32 `json:"distance"`
	Match    bool    `json:"match"`
}

// Verification is the result of a 1:1 comparison against one ID.
type Verification struct {
	ID string `json:"id"`
	// Distance is the smallest Euclidean distance between the probe and the
	// ID's embeddings.
	Distance float32 `json:"distance"`
	// Threshold is the gallery threshold the decision used.
	Threshold float32 `json:"threshold"`
	// Match is Distance < Threshold.
	Match bool `json:"match"`
	// Compared is the number of the ID's embeddings compared.
	Compared int `json:"compared"`
}

// Gallery is a set of enrolled face embeddings keyed by string ID. An ID
// may hold several embeddings (several photos of one person); an ID's
// distance to a probe is the smallest distance over its embeddings
// ("best-of").
//
// All embeddings live in one contiguous []float32, 128 floats per row, so a
// search is a single front-to-back scan. Removing an ID moves the last rows
// into the holes, keeping the storage compact; row order is therefore not
// insertion order, and nothing depends on it (ties are broken by ID).
//
// A Gallery is safe for concurrent use: Verify, Search and the other
// readers take a shared lock and may run in parallel; Add, Replace, Remove,
// Grow and SetThreshold take an exclusive lock. Results hold no reference
// to the gallery's storage. The zero value is not usable; call NewGallery.
type Gallery struct {
	mu        sync.RWMutex
	threshold float32
	data      []float32 // len(owner)*Dim floats
	norms     []float32 // row → squared norm, for Search's pre-filter
	owner     []int32   // row → slot in people
	people    []person
	index     map[string]int32 // ID → slot in people
}

type person struct {
	id   string
	rows []int32
}

// NewGallery returns an empty gallery with threshold DefaultThreshold.
func NewGallery() *Gallery {
	return &Gallery{threshold: DefaultThreshold, index: make(map[string]int32)}
}

// Grow reserves room for n more embeddings (and up to n more IDs), so that
// a bulk enrolment does not reallocate the flat storage repeatedly.
func (g *Gallery) Grow(n int) error {
	if n < 0 {
		return fmt.Errorf("%w: cannot grow by %d", ErrGalleryFull, n)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if n > maxRows-len(g.owner) {
		return fmt.Errorf("%w: %d rows + %d exceeds %d", ErrGalleryFull, len(g.owner), n, maxRows)
	}
	g.data = slices.Grow(g.data, n*Dim)
	g.owner = slices.Grow(g.owner, n)
	g.norms = slices.Grow(g.norms, n)
	g.people = slices.Grow(g.people, n)
	return nil
}

// SetThreshold sets the Euclidean distance below which Verify and Search
// report a match. It must be positive and finite.
func (g *Gallery) SetThreshold(t float32) error {
	if !(t > 0) || t > math.MaxFloat32 {
		return fmt.Errorf("%w: %v", ErrBadThreshold, t)
	}
	g.mu.Lock()
	g.threshold = t
	g.mu.Unlock()
	return nil
}

// Threshold returns the gallery's decision threshold (a Euclidean distance).
func (g *Gallery) Threshold() float32 {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.threshold
}

// Len returns the number of enrolled IDs.
func (g *Gallery) Len() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.people)
}

// NumEmbeddings returns the number of stored embeddings over all IDs.
func (g *Gallery) NumEmbeddings() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.owner)
}

// Has reports whether id is enrolled.
func (g *Gallery) Has(id string) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	_, ok := g.index[id]
	return ok
}

// IDs returns the enrolled IDs in sorted order.
func (g *Gallery) IDs() []string {
	g.mu.RLock()
	ids := make([]string, len(g.people))
	for i := range g.people {
		ids[i] = g.people[i].id
	}
	g.mu.RUnlock()
	slices.Sort(ids)
	return ids
}

// Embeddings returns a copy of id's embeddings, or ErrUnknownID.
func (g *Gallery) Embeddings(id string) ([]Embedding, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	s, ok := g.index[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownID, id)
	}
	rows := g.people[s].rows
	out := make([]Embedding, len(rows))
	for i, r := range rows {
		copy(out[i][:], g.data[int(r)*Dim:])
	}
	return out, nil
}

func checkID(id string) error {
	if id == "" || len(id) > MaxIDBytes {
		return fmt.Errorf("%w: length %d (want 1..%d bytes)", ErrBadID, len(id), MaxIDBytes)
	}
	return nil
}

func checkAll(es []Embedding) error {
	if len(es) == 0 {
		return ErrNoEmbeddings
	}
	for i := range es {
		if err := es[i].Validate(); err != nil {
			return fmt.Errorf("embedding %d: %w", i, err)
		}
	}
	return nil
}

// Add enrols embeddings under id, appending to those id already has. All
// embeddings are validated first; on error the gallery is unchanged.
func (g *Gallery) Add(id string, es ...Embedding) error {
	if err := checkID(id); err != nil {
		return err
	}
	if err := checkAll(es); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.addLocked(id, es)
}

// Replace makes es the only embeddings of id, enrolling id if it is new.
// All embeddings are validated first; on error the gallery is unchanged.
func (g *Gallery) Replace(id string, es ...Embedding) error {
	if err := checkID(id); err != nil {
		return err
	}
	if err := checkAll(es); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if s, ok := g.index[id]; ok && len(es) > maxRows-len(g.owner)+len(g.people[s].rows) {
		return fmt.Errorf("%w: %d rows", ErrGalleryFull, len(g.owner))
	}
	g.removeLocked(id)
	return g.addLocked(id, es)
}

func (g *Gallery) addLocked(id string, es []Embedding) error {
	if len(es) > maxRows-len(g.owner) {
		return fmt.Errorf("%w: %d rows + %d exceeds %d", ErrGalleryFull, len(g.owner), len(es), maxRows)
	}
	s, ok := g.index[id]
	if !ok {
		s = int32(len(g.people))
		g.people = append(g.people, person{id: strings.Clone(id)})
		g.index[g.people[s].id] = s
	}
	p := &g.people[s]
	for i := range es {
		p.rows = append(p.rows, int32(len(g.owner)))
		g.owner = append(g.owner, s)
		g.norms = append(g.norms, dot(&es[i], &es[i]))
		g.data = append(g.data, es[i][:]...)
	}
	return nil
}

// Remove deletes id and all its embeddings, reporting whether it was
// enrolled. The freed rows are filled from the end of the storage.
func (g *Gallery) Remove(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.removeLocked(id)
}

func (g *Gallery) removeLocked(id string) bool {
	s, ok := g.index[id]
	if !ok {
		return false
	}
	rows := g.people[s].rows
	// Descending order: when row r is filled from the last row, every row
	// of id above r is already gone, so the last row belongs to someone else
	// (or is r itself).
	slices.Sort(rows)
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		last := int32(len(g.owner) - 1)
		if r != last {
			copy(g.data[int(r)*Dim:int(r+1)*Dim], g.data[int(last)*Dim:int(last+1)*Dim])
			o := g.owner[last]
			g.owner[r] = o
			g.norms[r] = g.norms[last]
			orows := g.people[o].rows
			for j := range orows {
				if orows[j] == last {
					orows[j] = r
					break
				}
			}
		}
		g.owner = g.owner[:last]
		g.norms = g.norms[:last]
		g.data = g.data[:int(last)*Dim]
	}
	// Fill the person slot from the last one.
	lastp := int32(len(g.people) - 1)
	if s != lastp {
		g.people[s] = g.people[lastp]
		g.index[g.people[s].id] = s
		for _, r := range g.people[s].rows {
			g.owner[r] = s
		}
	}
	g.people[lastp] = person{}
	g.people = g.people[:lastp]
	delete(g.index, id)
	return true
}

// Verify compares probe with id's embeddings (1:1) and reports the best
// distance and whether it is below the gallery threshold. It returns
// ErrUnknownID for an ID that is not enrolled and ErrBadEmbedding for an
// invalid probe. It does not allocate.
func (g *Gallery) Verify(id string, probe *Embedding) (Verification, error) {
	if err := probe.Validate(); err != nil {
		return Verification{}, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	s, ok := g.index[id]
	if !ok {
		return Verification{}, fmt.Errorf("%w: %q", ErrUnknownID, id)
	}
	p := &g.people[s]
	best := float32(math.MaxFloat32)
	for _, r := range p.rows {
		off := int(r) * Dim
		if d := sqDistArr((*[Dim]float32)(probe), (*[Dim]float32)(g.data[off:off+Dim])); d < best {
			best = d
		}
	}
	d := sqrt32(best)
	return Verification{ID: p.id, Distance: d, Threshold: g.threshold, Match: d < g.threshold, Compared: len(p.rows)}, nil
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// Search finds the k enrolled IDs nearest to probe (1:N), each with its
// best distance, sorted by increasing distance. The ranking uses squared
// distances and breaks exact ties by ID, so it does not depend on storage
// order (two squared distances one ulp apart may round to the same
// Distance; the smaller still ranks first). It writes the
// results into dst[:0] and returns it: pass the previous result back in and
// a search allocates nothing once cap(dst) ≥ k. k larger than Len is
// clamped to Len; an empty gallery yields no candidates. It returns ErrBadK
// for k ≤ 0 and ErrBadEmbedding for an invalid probe.
//
// Candidate.Match is Distance < Threshold(): the candidates that a 1:N
// system would raise as alerts.
func (g *Gallery) Search(dst []Candidate, probe *Embedding, k int) ([]Candidate, error) {
	dst = dst[:0]
	if k <= 0 {
		return dst, fmt.Errorf("%w: %d", ErrBadK, k)
	}
	if err := probe.Validate(); err != nil {
		return dst, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	if k > len(g.people) {
		k = len(g.people)
	}
	if k == 0 {
		return dst, nil
	}
	if cap(dst) < k {
		dst = make([]Candidate, 0, k)
	}
	h := heap{c: dst[:0], k: k, dedupe: len(g.owner) != len(g.people)}
	p := (*[Dim]float32)(probe)
	pn := dot(probe, probe)
	data := g.data[:len(g.owner)*Dim]
	norms := g.norms[:len(g.owner)]
	worst := float32(math.Inf(1))
	for r, xn := range norms {
		row := (*[Dim]float32)(data[r*Dim : r*Dim+Dim])
		// Pre-filter: ‖p−x‖² = ‖p‖² + ‖x‖² − 2p·x costs one multiply-add
		// per component instead of three operations. It is only an
		// estimate (rounding, cancellation), so it rejects a row only when
		// it exceeds the current k-th best by more than filterTol·(‖p‖² +
		// ‖x‖²), over ten times the worst rounding error of a 128-term
		// float32 dot product; rows that pass are measured exactly. Results
		// are therefore exactly those of an exhaustive exact search.
		if pn+xn-2*dotArr(p, row) > worst+filterTol*(pn+xn) {
			continue
		}
		d := sqDistArr(p, row)
		if d > worst {
			continue
		}
		if h.offer(d, g.people[g.owner[r]].id) {
			worst = h.c[0].Distance
		}
	}
	out := h.c
	slices.SortFunc(out, cmpCandidate)
	for i := range out {
		out[i].Distance = sqrt32(out[i].Distance)
		out[i].Match = out[i].Distance < g.threshold
	}
	return out, nil
}

// filterTol bounds the relative error of Search's dot-product estimate
// with a wide margin: a float32 dot product of n terms errs by at most
// about n·2⁻²⁴·‖p‖‖x‖ ≤ 128·6e-8·(‖p‖²+‖x‖²)/2 ≈ 3.8e-6·(‖p‖²+‖x‖²).
const filterTol = 1e-4

func cmpCandidate(a, b Candidate) int {
	switch {
	case a.Distance < b.Distance:
		return -1
	case a.Distance > b.Distance:
		return 1
	}
	return strings.Compare(a.ID, b.ID)
}

// heap is a bounded max-heap of candidates ordered by (squared distance,
// ID); its root is the worst candidate kept so far. With dedupe set (some
// ID owns several rows) an ID appears at most once, with its best distance.
type heap struct {
	c      []Candidate
	k      int
	dedupe bool
}

func worse(a, b *Candidate) bool {
	return a.Distance > b.Distance || (a.Distance == b.Distance && a.ID > b.ID)
}

// offer considers (d, id) and reports whether the heap is full afterwards
// (so its root is the bound a later candidate must beat).
func (h *heap) offer(d float32, id string) bool {
	n := Candidate{ID: id, Distance: d}
	if h.dedupe {
		for i := range h.c {
			if h.c[i].ID == id {
				if d < h.c[i].Distance {
					h.c[i].Distance = d
					h.down(i)
				}
				return len(h.c) == h.k
			}
		}
	}
	if len(h.c) < h.k {
		h.c = append(h.c, n)
		h.up(len(h.c) - 1)
		return len(h.c) == h.k
	}
	if !worse(&h.c[0], &n) {
		return true
	}
	h.c[0] = n
	h.down(0)
	return true
}

func (h *heap) up(i int) {
	c := h.c
	for i > 0 {
		p := (i - 1) / 2
		if !worse(&c[i], &c[p]) {
			break
		}
		c[i], c[p] = c[p], c[i]
		i = p
	}
}

func (h *heap) down(i int) {
	c := h.c
	n := len(c)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && worse(&c[r], &c[l]) {
			m = r
		}
		if !worse(&c[m], &c[i]) {
			return
		}
		c[i], c[m] = c[m], c[i]
		i = m
	}
}
