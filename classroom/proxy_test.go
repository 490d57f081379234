package classroom

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"

	"github.com/gorilla/websocket"
)

// Behind a reverse proxy named by -trust-proxy (the TLS setup of
// docs/classroom.md) every request comes from the proxy: the join limiter
// must count the addresses the proxy saw, so that a class can join at once
// while one address alone is still limited.
func TestJoinLimitBehindProxy(t *testing.T) {
	clock := newFakeClock()
	cfg := Config{Now: clock.Now, JoinBurst: 3, JoinRate: 0.001,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}}
	ts := startServer(t, cfg)
	_, tw := ts.teacher() // from loopback itself, without a header
	code := tw.str("code")

	// join dials as the proxy would, forwarding for xff, and returns the
	// server's answer: "welcome" or the error code.
	join := func(xff, nick string) string {
		t.Helper()
		h := http.Header{"Origin": {ts.origin()}, "X-Forwarded-For": {xff}}
		ws, _, err := websocket.DefaultDialer.Dial(ts.url, h)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		t.Cleanup(func() { ws.Close() })
		c := &client{t: t, ws: ws}
		c.send(msg{"v": 1, "type": "join", "code": code, "nick": nick})
		m := c.waitFor("reply", func(m msg) bool { return m.str("type") == TypeWelcome || m.str("type") == TypeError })
		if m.str("type") == TypeWelcome {
			return TypeWelcome
		}
		return m.str("code")
	}

	// A class of twelve, each from their own address: far beyond one
	// address's burst of 3, and everyone gets in.
	for i := range 12 {
		if got := join(fmt.Sprintf("203.0.113.%d", 10+i), fmt.Sprintf("S%d", i)); got != TypeWelcome {
			t.Fatalf("student %d from their own address: %s", i, got)
		}
	}
	// One address alone still has its burst, then is limited; addresses a
	// client writes in front of the proxy's entry change nothing.
	for i, want := range []string{TypeWelcome, TypeWelcome, TypeWelcome, ErrCodeRateLimited} {
		if got := join("198.51.100.7", fmt.Sprintf("R%d", i)); got != want {
			t.Fatalf("attempt %d from one address: %s, want %s", i, got, want)
		}
	}
	if got := join("192.0.2.1, 198.51.100.7", "Spoof"); got != ErrCodeRateLimited {
		t.Fatalf("a forged earlier entry got %s, want %s", got, ErrCodeRateLimited)
	}
	if v := inspect(t, ts.srv, code); v.Students != 15 {
		t.Fatalf("room has %d students, want 15", v.Students)
	}
	// Buckets: loopback (the teacher), the twelve, and the one address.
	if n := ts.srv.joins.size(); n != 1+12+1 {
		t.Errorf("limiter tracks %d addresses, want 14", n)
	}
}
