package track

import (
	"fmt"
	"testing"
	"time"
)

// Dropping a summary from the history ring, wherever it is and however the
// ring has wrapped, keeps the others in order with their own intervals.
func TestHistoryDrop(t *testing.T) {
	for _, tc := range []struct {
		added, drop int
		want        string
	}{
		{3, 2, "[1 3]"},
		{3, 1, "[2 3]"},
		{3, 3, "[1 2]"},
		{3, 9, "[1 2 3]"},
		{6, 5, "[3 4 6]"}, // wrapped: 3, 4, 5, 6 kept
		{6, 3, "[4 5 6]"},
		{7, 7, "[4 5 6]"},
	} {
		t.Run(fmt.Sprintf("%d added, drop %d", tc.added, tc.drop), func(t *testing.T) {
			var h history
			h.init(4, 2)
			for id := 1; id <= tc.added; id++ {
				tr := &track{id: id, iv: []Interval{{time.Duration(id), time.Duration(10 * id)}}, niv: 1}
				h.add(tr)
			}
			h.drop(tc.drop)
			var ids []int
			for i := 0; i < h.n; i++ {
				s := h.sums[(h.head-h.n+i+len(h.sums))%len(h.sums)]
				ids = append(ids, s.ID)
				if len(s.Intervals) != 1 || s.Intervals[0].Start != time.Duration(s.ID) || s.Intervals[0].End != time.Duration(10*s.ID) {
					t.Errorf("summary %d has intervals %v", s.ID, s.Intervals)
				}
			}
			if fmt.Sprint(ids) != tc.want {
				t.Fatalf("kept %v, want %s", ids, tc.want)
			}
			// The freed slot is reused with its own storage.
			h.add(&track{id: 99, iv: []Interval{{99, 990}}, niv: 1})
			last := h.sums[(h.head-1+len(h.sums))%len(h.sums)]
			if last.ID != 99 || len(last.Intervals) != 1 || last.Intervals[0].End != 990 {
				t.Fatalf("added after the drop: %+v", last)
			}
			for i := 0; i < h.n; i++ {
				s := h.sums[(h.head-h.n+i+len(h.sums))%len(h.sums)]
				if s.ID != 99 && (len(s.Intervals) != 1 || s.Intervals[0].End != time.Duration(10*s.ID)) {
					t.Errorf("after reuse, summary %d has intervals %v", s.ID, s.Intervals)
				}
			}
		})
	}
}
