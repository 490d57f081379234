package loadtest

import (
	"context"
	"testing"
	"time"
)

// A small run must deliver every kind of message and stop by itself.
func TestRunSmall(t *testing.T) {
	cfg := Config{Rooms: 2, Students: 5, Duration: 1500 * time.Millisecond, UpdateEvery: 200 * time.Millisecond, SceneEvery: 300 * time.Millisecond}
	start := time.Now()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 30*time.Second {
		t.Errorf("run took %v", el)
	}
	// 10 students × ~7 updates, 2 teachers × ~4 scenes × 5 students.
	if res.Ack.N < 30 || res.Class.N+res.Skipped < 30 || res.Scene.N < 20 {
		t.Errorf("too few deliveries: ack %v, class %v (+%d skipped), scene %v", res.Ack, res.Class, res.Skipped, res.Scene)
	}
	for _, l := range []Latency{res.Ack, res.Class, res.Scene} {
		if l.P50 <= 0 || l.P50 > l.P99 || l.P99 > l.Max {
			t.Errorf("inconsistent latency %v", l)
		}
	}
	if res.HeapPerRoom == 0 {
		t.Error("no memory measured")
	}
}

func TestConfigRefused(t *testing.T) {
	for _, c := range []Config{{Rooms: -1}, {Students: 500}, {Duration: -time.Second}} {
		if _, err := Run(context.Background(), c); err == nil {
			t.Errorf("Run(%+v) accepted", c)
		}
	}
}

// BenchmarkClassroom20x40 is the load of the issue: 20 rooms of 40
// students, each updating once a second, teachers changing scene every
// two seconds, for five seconds per iteration. Latencies are reported as
// metrics (ms); the ns/op is the run's wall time and says little.
func BenchmarkClassroom20x40(b *testing.B) {
	for b.Loop() {
		res, err := Run(context.Background(), Config{Rooms: 20, Students: 40, Duration: 5 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
		b.ReportMetric(ms(res.Class.P50), "class-p50-ms")
		b.ReportMetric(ms(res.Class.P99), "class-p99-ms")
		b.ReportMetric(ms(res.Scene.P50), "scene-p50-ms")
		b.ReportMetric(ms(res.Scene.P99), "scene-p99-ms")
		b.ReportMetric(ms(res.Ack.P99), "ack-p99-ms")
		b.ReportMetric(float64(res.HeapPerRoom)/1024, "KiB/room")
		b.ReportMetric(res.Cores, "cores")
	}
}
