package wire

import (
	"errors"
	"reflect"
	"testing"
)

// sample builds a result with every section filled.
func sample() *Result {
	r := &Result{
		Seq: 42, Width: 640, Height: 480, Flags: FlagCandidates | FlagChip,
		Timings: Timings{Grab: 0.1, Detect: 9.5, Align: 3.25, Track: 0.05, Total: 13},
		Line:    Line{320, 0, 320, 480}, In: 3, Out: 1,
		Sweep: Sweep{MinSize: 60, MaxSize: 480, Shift: 0.1, Scale: 1.1},
	}
	r.Candidates = append(r.Candidates, Candidate{100, 80, 120, 2.5}, Candidate{104, 84, 132, 7})
	f := r.AddFace()
	*f = Face{X: 100, Y: 80, W: 128, H: 128, Score: 31.5, Left: Point{140, 120}, Right: Point{190, 121},
		Landmarks: []Point{{150, 160}, {170, 185}}}
	g := r.AddFace()
	*g = Face{X: 400, Y: 200, W: 70, H: 70, Score: 6, Left: Point{NaN, NaN}, Right: Point{NaN, NaN}}
	t := r.AddTrack()
	*t = Track{ID: 7, X: 100, Y: 80, W: 128, H: 128, State: Confirmed, AgeMs: 2500, GapMs: 12000, RecallDist: 0.3125,
		Trail: []Point{{160, 140}, {162, 141}, {164, 143}}}
	r.ChipKey = 5
	for i := range 128 {
		r.Embedding = append(r.Embedding, float32(i)/256-0.25)
	}
	return r
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		r    *Result
	}{
		{"empty", &Result{Width: 1, Height: 1}},
		{"full", sample()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			buf := tc.r.Append(nil)
			var got Result
			if err := Decode(buf, &got); err != nil {
				t.Fatal(err)
			}
			// NaN never compares equal: compare the pupil flags, then blank NaNs.
			for i := range got.Faces {
				if got.Faces[i].HasPupils() != tc.r.Faces[i].HasPupils() {
					t.Fatalf("face %d pupils: got %v", i, got.Faces[i].HasPupils())
				}
			}
			want := normalise(tc.r)
			if !reflect.DeepEqual(normalise(&got), want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", normalise(&got), want)
			}
		})
	}
}

// normalise replaces NaN pupils by -1 and nil slices by empty ones.
func normalise(r *Result) Result {
	c := *r
	c.Candidates = append([]Candidate{}, r.Candidates...)
	c.Faces = nil
	for _, f := range r.Faces {
		if !f.HasPupils() {
			f.Left, f.Right = Point{-1, -1}, Point{-1, -1}
		}
		f.Landmarks = append([]Point{}, f.Landmarks...)
		c.Faces = append(c.Faces, f)
	}
	c.Embedding = append([]float32{}, r.Embedding...)
	c.Tracks = nil
	for _, t := range r.Tracks {
		t.Trail = append([]Point{}, t.Trail...)
		c.Tracks = append(c.Tracks, t)
	}
	return c
}

func TestDecodeRejectsTruncated(t *testing.T) {
	buf := sample().Append(nil)
	var r Result
	for n := 0; n < len(buf); n++ {
		if err := Decode(buf[:n], &r); !errors.Is(err, ErrShort) {
			t.Fatalf("prefix %d of %d: got %v, want ErrShort", n, len(buf), err)
		}
	}
}

func TestDecodeRejectsBadFields(t *testing.T) {
	base := sample().Append(nil)
	inf := float32(1)
	for i := 0; i < 200; i++ {
		inf *= 10
	}
	tests := []struct {
		name  string
		index int
		value float32
		want  error
	}{
		{"magic", HMagic, 1, ErrMagic},
		{"version", HVersion, Version + 1, ErrMagic},
		{"negative width", HWidth, -1, ErrCount},
		{"huge height", HHeight, MaxSide + 1, ErrCount},
		{"fractional faces", HNumFaces, 1.5, ErrCount},
		{"NaN tracks", HNumTracks, NaN, ErrCount},
		{"too many candidates", HNumCandidates, MaxCandidates + 1, ErrCount},
		{"embedding not 0..128", HEmbedLen, 129, ErrCount},
		{"infinite timing", HDetect, inf, ErrNonReal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			buf := append([]float32(nil), base...)
			buf[tc.index] = tc.value
			var r Result
			if err := Decode(buf, &r); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestAppendTruncatesToCaps(t *testing.T) {
	r := &Result{Width: 10, Height: 10}
	tr := r.AddTrack()
	for i := 0; i < MaxTrail+10; i++ {
		tr.Trail = append(tr.Trail, Point{float32(i), 0})
	}
	var got Result
	if err := Decode(r.Append(nil), &got); err != nil {
		t.Fatal(err)
	}
	trail := got.Tracks[0].Trail
	if len(trail) != MaxTrail || trail[len(trail)-1].X != MaxTrail+9 {
		t.Fatalf("trail: %d points ending at %v; want the newest %d", len(trail), trail[len(trail)-1], MaxTrail)
	}
}

func TestSteadyStateDoesNotAllocate(t *testing.T) {
	src := sample()
	buf := src.Append(nil)
	var dst Result
	out := make([]float32, 0, len(buf))
	if err := Decode(buf, &dst); err != nil { // warm up the storage
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		out = dst.Append(out[:0])
		if err := Decode(out, &dst); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("steady state: %v allocs per frame, want 0", allocs)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(floatsToBytes(sample().Append(nil)))
	f.Add(floatsToBytes((&Result{Width: 1, Height: 1}).Append(nil)))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Result
		src := bytesToFloats(b)
		if err := Decode(src, &r); err != nil {
			return
		}
		// Whatever decodes must re-encode to a message that decodes the same.
		var again Result
		if err := Decode(r.Append(nil), &again); err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if len(again.Faces) != len(r.Faces) || len(again.Tracks) != len(r.Tracks) || len(again.Candidates) != len(r.Candidates) {
			t.Fatalf("re-encode changed counts")
		}
	})
}

func BenchmarkAppendDecode(b *testing.B) {
	src := sample()
	out := src.Append(nil)
	var dst Result
	b.ReportAllocs()
	for b.Loop() {
		out = src.Append(out[:0])
		if err := Decode(out, &dst); err != nil {
			b.Fatal(err)
		}
	}
}
