package match_test

import (
	"encoding/json"
	"fmt"
	"log"

	"github.com/facewatch/facewatch/facelib/match"
)

// unit returns an embedding with v on component i.
func unit(i int, v float32) match.Embedding {
	var e match.Embedding
	e[i] = v
	return e
}

func ExampleDistance() {
	a, b := unit(0, 0.3), unit(1, 0.4)
	d := match.Distance(&a, &b)
	// Below the threshold, the model calls two faces the same person: its
	// rule, not a fact about who they are.
	fmt.Printf("distance %.2f, below the threshold: %v\n", d, d < match.DefaultThreshold)
	c := match.Cosine(&a, &b)
	fmt.Printf("cosine %.2f\n", c)
	// Output:
	// distance 0.50, below the threshold: true
	// cosine 0.00
}

func ExampleFromSlice() {
	v := make([]float32, 128)
	_, err := match.FromSlice(v) // all zeros
	fmt.Println(err)
	v[0] = 1
	e, err := match.FromSlice(v)
	fmt.Println(e.Norm(), err)
	// Output:
	// match: bad embedding: norm 0 is below 1e-06 (zero vector)
	// 1 <nil>
}

func ExampleGallery_Search() {
	g := match.NewGallery()
	// Two photos of ana, one of ben.
	if err := g.Add("ana", unit(0, 1), unit(1, 1)); err != nil {
		log.Fatal(err)
	}
	if err := g.Add("ben", unit(2, 1)); err != nil {
		log.Fatal(err)
	}

	probe := unit(0, 0.8) // 0.2 from ana's first photo
	var results []match.Candidate
	results, err := g.Search(results, &probe, 5) // reuse results for the next search
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range results {
		fmt.Printf("%s %.3f match=%v\n", c.ID, c.Distance, c.Match)
	}
	// Output:
	// ana 0.200 match=true
	// ben 1.281 match=false
}

func ExampleGallery_Verify() {
	g := match.NewGallery()
	if err := g.Add("ana", unit(0, 1)); err != nil {
		log.Fatal(err)
	}
	probe := unit(0, 0.3)
	v, err := g.Verify("ana", &probe)
	if err != nil {
		log.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(b))
	// Output:
	// {"id":"ana","distance":0.7,"threshold":0.6,"match":false,"compared":1}
}

func ExampleBaseRate() {
	// 57.6 million records searched with a per-comparison false match rate
	// of one in a million, for someone who is enrolled and found.
	r, err := match.BaseRate(match.BaseRateInput{
		GallerySize:      57_600_000,
		FalseMatchRate:   1e-6,
		Prevalence:       1,
		TruePositiveRate: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("false candidates per search: %.1f (~%.0f)\n", r.ExpectedFalseCandidates, r.ExpectedFalseCandidates)
	fmt.Printf("P(at least one): %.4f\n", r.ProbAnyFalse)
	fmt.Printf("share of candidates that are right: %.1f%%\n", 100*r.Precision)
	// Output:
	// false candidates per search: 57.6 (~58)
	// P(at least one): 1.0000
	// share of candidates that are right: 1.7%
}

func ExampleCrowd() {
	// Simulated: 50,000 faces pass a camera; 1 in 10,000 of them is on a
	// 10,000-person watch list; f = 1e-6, TPR = 0.9.
	r, err := match.Crowd(match.CrowdInput{
		People: 50_000,
		BaseRateInput: match.BaseRateInput{
			GallerySize: 10_000, FalseMatchRate: 1e-6, Prevalence: 1e-4, TruePositiveRate: 0.9,
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("false alerts %.0f, true alerts %.1f, right %.2f%%\n",
		r.ExpectedFalseAlerts, r.ExpectedTrueAlerts, 100*r.Precision)
	// Output:
	// false alerts 500, true alerts 4.5, right 0.89%
}

func ExampleAlertShare() {
	// South Wales Police, 2017 Champions League final: 2,470 alerts, 2,297 false.
	r, err := match.AlertShare(2470, 2297)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d right, %.1f%% of alerts\n", r.TrueAlerts, 100*r.CorrectShare)
	// Output:
	// 173 right, 7.0% of alerts
}

func ExamplePerComparisonRate() {
	// 28 of 535 searches gave at least one false match against 25,000 photos.
	f, err := match.PerComparisonRate(28.0/535, 25_000)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("f ≈ %.2g per comparison\n", f)
	// Output:
	// f ≈ 2.2e-06 per comparison
}

func ExampleScores_EER() {
	genuine := []float64{0.1, 0.2, 0.5} // same-person distances
	impostor := []float64{0.3, 0.6}     // different-person distances
	s, err := match.NewScores(genuine, impostor, match.Distances)
	if err != nil {
		log.Fatal(err)
	}
	e := s.EER()
	fmt.Printf("EER %.3f at threshold %.3f\n", e.Rate, e.Threshold)
	r, err := s.At(0.55)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("at 0.55: FMR %.2f FNMR %.2f\n", r.FMR, r.FNMR)
	// Output:
	// EER 0.333 at threshold 0.433
	// at 0.55: FMR 0.50 FNMR 0.00
}

func ExampleScores_ThresholdForFMR() {
	genuine := []float64{0.1, 0.2, 0.3, 0.7}
	impostor := []float64{0.5, 0.8, 0.9, 1.0}
	s, err := match.NewScores(genuine, impostor, match.Distances)
	if err != nil {
		log.Fatal(err)
	}
	r, err := s.ThresholdForFMR(0.25)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("threshold %.1f: FMR %.2f, FNMR %.2f\n", r.Threshold, r.FMR, r.FNMR)
	// Output:
	// threshold 0.8: FMR 0.25, FNMR 0.00
}

func ExampleScores_Histograms() {
	s, err := match.NewScores([]float64{0.1, 0.2, 0.3, 0.7}, []float64{0.5, 0.8, 0.9, 1.0}, match.Distances)
	if err != nil {
		log.Fatal(err)
	}
	g, i, err := s.Histograms(2) // bins [0.1, 0.55) and [0.55, 1]
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("range", g.Lo, g.Hi)
	fmt.Println("genuine ", g.Counts)
	fmt.Println("impostor", i.Counts)
	// Output:
	// range 0.1 1
	// genuine  [3 1]
	// impostor [1 3]
}
