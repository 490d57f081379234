package rates_test

import (
	"fmt"
	"log"

	"github.com/facewatch/facewatch/facelib/rates"
)

func ExampleBaseRate() {
	// 57.6 million records searched with a per-comparison false match rate
	// of one in a million, for someone who is enrolled and found.
	r, err := rates.BaseRate(rates.BaseRateInput{
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
	r, err := rates.Crowd(rates.CrowdInput{
		People: 50_000,
		BaseRateInput: rates.BaseRateInput{
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
	r, err := rates.AlertShare(2470, 2297)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d right, %.1f%% of alerts\n", r.TrueAlerts, 100*r.CorrectShare)
	// Output:
	// 173 right, 7.0% of alerts
}

func ExamplePerComparisonRate() {
	// 28 of 535 searches gave at least one false match against 25,000 photos.
	f, err := rates.PerComparisonRate(28.0/535, 25_000)
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
	s, err := rates.NewScores(genuine, impostor, rates.Distances)
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
	s, err := rates.NewScores(genuine, impostor, rates.Distances)
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
	s, err := rates.NewScores([]float64{0.1, 0.2, 0.3, 0.7}, []float64{0.5, 0.8, 0.9, 1.0}, rates.Distances)
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
