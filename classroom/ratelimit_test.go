package classroom

import (
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var b bucket
	b.fill(t0, 3)
	got := ""
	for i := 0; i < 5; i++ {
		if b.allow(t0, 1, 3) {
			got += "y"
		} else {
			got += "n"
		}
	}
	if got != "yyynn" {
		t.Errorf("burst: %s", got)
	}
	if !b.allow(t0.Add(time.Second), 1, 3) || b.allow(t0.Add(time.Second), 1, 3) {
		t.Error("one token per second")
	}
	if b.allow(t0, 1, 3) {
		t.Error("clock going back refilled the bucket")
	}
	if !b.full(t0.Add(time.Hour), 1, 3) {
		t.Error("not full after an hour")
	}
}

func TestIPLimiter(t *testing.T) {
	t0 := time.Unix(1000, 0)
	l := newIPLimiter(1, 2, 3)
	for _, k := range []string{"a", "a"} {
		if !l.allow(k, t0) {
			t.Fatal("burst refused")
		}
	}
	if l.allow("a", t0) {
		t.Error("a over its burst")
	}
	if !l.allow("b", t0) || !l.allow("c", t0) {
		t.Error("other addresses limited by a")
	}
	// The table is full of limited addresses: a newcomer is refused.
	l.allow("b", t0)
	l.allow("c", t0)
	if l.allow("d", t0) {
		t.Error("newcomer admitted to a full table of limited addresses")
	}
	// Later everybody has refilled and is forgotten.
	l.sweep(t0.Add(time.Minute))
	if l.size() != 0 {
		t.Errorf("%d entries after sweep", l.size())
	}
	if !l.allow("d", t0.Add(time.Minute)) {
		t.Error("d refused after the sweep")
	}
}

func TestClientKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.7:5555", "192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.7]:80", "192.0.2.7"},
		{"garbage", "garbage"},
	}
	for _, tt := range tests {
		if got := clientKey(tt.in); got != tt.want {
			t.Errorf("clientKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
