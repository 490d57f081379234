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
