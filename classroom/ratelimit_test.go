package classroom

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
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

func TestRequestKey(t *testing.T) {
	local := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name, remote string
		xff          []string
		want         string
		trusted      []netip.Prefix
	}{
		{"loopback is not trusted by default", "127.0.0.1:5555", []string{"203.0.113.9"}, "127.0.0.1", nil},
		{"an untrusted proxy's header is ignored", "192.0.2.8:5555", []string{"203.0.113.9"}, "192.0.2.8", local},
		{"a trusted network", "10.1.2.3:5555", []string{"203.0.113.9"}, "203.0.113.9", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
		{"direct client", "192.0.2.7:5555", nil, "192.0.2.7", local},
		{"direct client's header is ignored", "192.0.2.7:5555", []string{"203.0.113.9"}, "192.0.2.7", local},
		{"loopback without header", "127.0.0.1:5555", nil, "127.0.0.1", local},
		{"proxy on this machine", "127.0.0.1:5555", []string{"203.0.113.9"}, "203.0.113.9", local},
		{"proxy over IPv6 loopback", "[::1]:5555", []string{"203.0.113.9"}, "203.0.113.9", local},
		{"the proxy's entry is the last", "127.0.0.1:5555", []string{"198.51.100.1, 203.0.113.9"}, "203.0.113.9", local},
		{"last of several headers", "127.0.0.1:5555", []string{"198.51.100.1", "203.0.113.9"}, "203.0.113.9", local},
		{"IPv6 client by /64", "127.0.0.1:5555", []string{"2001:db8:1:2:3:4:5:6"}, "2001:db8:1:2::/64", local},
		{"garbage header", "127.0.0.1:5555", []string{"not an address"}, "127.0.0.1", local},
		{"empty header", "127.0.0.1:5555", []string{""}, "127.0.0.1", local},
		{"a client cannot put its choice last", "127.0.0.1:5555", []string{"203.0.113.9, "}, "127.0.0.1", local},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/classroom/ws", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := requestKey(r, tt.trusted); got != tt.want {
				t.Errorf("requestKey(%s, X-Forwarded-For %q) = %q, want %q", tt.remote, tt.xff, got, tt.want)
			}
		})
	}
}
