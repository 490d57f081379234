package track_test

import (
	"math"
	"time"
)

func nan() float64 { return math.NaN() }

// frameTime is the time of frame k at 30 frames per second.
func frameTime(k int) time.Duration { return at(30, k) }
