package classroom

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The slot attack of the issue: sockets that never say hello but send
// {} every few seconds were never closed, each message pushing the hello
// deadline. Now junk moves nothing: every such socket is closed at its
// hello deadline (or after a few refused messages, whichever is first),
// and one address holds at most MaxPendingPerAddr of them, so a real
// teacher still gets in.
func TestJunkBeforeHelloDoesNotKeepASlot(t *testing.T) {
	const hello = 300 * time.Millisecond
	ts := startServer(t, Config{HelloTimeout: hello, MaxPendingPerAddr: 10, MaxConns: 50})
	var junk []*client
	for range 10 {
		junk = append(junk, ts.dial())
	}
	// An eleventh connection from the same address is refused at the door.
	if _, resp, err := websocketDial(ts); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("connection over the per-address cap: %v %v", resp, err)
	}
	// Junk at a pace that would have kept the deadline away forever: one
	// message every third of the hello timeout, 3 per connection (under
	// the refusal limit, so only the deadline can close them).
	start := time.Now()
	for round := 0; round < 3; round++ {
		for _, c := range junk {
			c.ws.SetWriteDeadline(time.Now().Add(time.Second))
			c.ws.WriteMessage(websocket.TextMessage, []byte(`{}`))
		}
		time.Sleep(hello / 3)
	}
	for i, c := range junk {
		c.waitClosed()
		if i == 0 && time.Since(start) > 10*hello {
			t.Errorf("junk kept a connection for %v (hello timeout %v)", time.Since(start), hello)
		}
	}
	waitStats(t, ts.srv, "junk connections gone", func(s Stats) bool { return s.Connections == 0 })
	// The address's slots are free again: a teacher opens a room.
	ts.teacher()
}

// Refused messages before hello close the connection after a few, well
// before the deadline.
func TestRefusalsBeforeHelloClose(t *testing.T) {
	ts := startServer(t, Config{HelloTimeout: time.Minute})
	c := ts.dial()
	for range maxRefusedBeforeHello {
		c.send(`{}`)
	}
	seen := c.waitClosed()
	if len(seen) != maxRefusedBeforeHello {
		t.Errorf("%d replies before the close, want %d", len(seen), maxRefusedBeforeHello)
	}
	for _, m := range seen {
		if m.str("code") != ErrCodeBadMessage {
			t.Errorf("reply %v", m)
		}
	}
}

// One address could create rooms until all 200 were taken. Now it keeps
// MaxRoomsPerAddr open at once; another address is not affected, and
// ending a room frees the place.
func TestRoomsPerAddress(t *testing.T) {
	ts := startServer(t, Config{MaxRoomsPerAddr: 3, MaxRooms: 10,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	create := func(addr string) (*client, msg) {
		c := ts.dialFrom(addr)
		c.send(`{"v":1,"type":"create"}`)
		return c, c.waitFor("create answer", func(m msg) bool { return m.str("type") == TypeWelcome || m.str("type") == TypeError })
	}
	var first *client
	for i := range 3 {
		c, m := create("203.0.113.5")
		if m.str("type") != TypeWelcome {
			t.Fatalf("room %d: %v", i, m)
		}
		if i == 0 {
			first = c
		}
	}
	// Up to 50 more tries from the same address: all refused.
	for i := range 50 {
		c, m := create("203.0.113.5")
		if m.str("code") != ErrCodeServerFull {
			t.Fatalf("extra room %d: %v", i, m)
		}
		c.ws.Close()
	}
	if _, m := create("198.51.100.9"); m.str("type") != TypeWelcome {
		t.Errorf("another address: %v", m)
	}
	first.send(`{"v":1,"type":"end"}`)
	first.waitClosed()
	waitStats(t, ts.srv, "3 rooms", func(s Stats) bool { return s.Rooms == 3 })
	if _, m := create("203.0.113.5"); m.str("type") != TypeWelcome {
		t.Errorf("after ending one: %v", m)
	}
}

// Behind a TCP forwarder every client is a loopback peer and writes its
// own X-Forwarded-For. With no proxy named (the default), the header is
// ignored: 10,000 code guesses, each with a different forged address,
// share one address's budget, and the real code is never reached.
func TestForgedForwardedForIgnoredByDefault(t *testing.T) {
	clock := newFakeClock()
	ts := startServer(t, Config{Now: clock.Now, JoinBurst: 20, JoinRate: 0.01, MaxPendingPerAddr: 100})
	_, tw := ts.teacher() // spends one of the 20
	code := tw.str("code")
	src := seededRand(4)
	counts := map[string]int{}
	const attempts = 10000
	for sent := 0; sent < attempts; {
		h := http.Header{"Origin": {ts.origin()}, "X-Forwarded-For": {fmt.Sprintf("10.%d.%d.%d", sent>>16&255, sent>>8&255, sent&255)}}
		ws, _, err := websocket.DefaultDialer.Dial(ts.url, h)
		if err != nil {
			t.Fatal(err)
		}
		c := &client{t: t, ws: ws}
		batch := min(maxRefusedBeforeHello, attempts-sent)
		for i := 0; i < batch; i++ {
			guess := code
			if (sent+i)%500 != 499 {
				for guess == code {
					guess, _ = newCode(src)
				}
			}
			c.send(msg{"v": 1, "type": "join", "code": guess, "nick": fmt.Sprintf("G%d", sent+i)})
		}
		for i := 0; i < batch; i++ {
			m, _, err := c.read(5 * time.Second)
			if err != nil {
				t.Fatalf("attempt %d: %v", sent+i, err)
			}
			counts[m.str("type")+"/"+m.str("code")]++
		}
		ws.Close()
		sent += batch
	}
	if n := counts["welcome/"]; n != 0 {
		t.Errorf("%d forged-address guesses joined; counts %v", n, counts)
	}
	if n := counts["error/"+ErrCodeJoinFailed]; n > 19 {
		t.Errorf("%d guesses were checked against the rooms, budget 19", n)
	}
	if ts.srv.joins.size() != 1 {
		t.Errorf("limiter tracks %d addresses; forged headers must not create any", ts.srv.joins.size())
	}
}

// Nicknames over the wire: look-alikes of a nickname in the room are
// taken, invisible or mark-only nicknames get bad_nick (not bad_message,
// so the page can show its own message), and normalisation makes "e" +
// combining acute the same name as "é".
func TestNicknamesOverTheWire(t *testing.T) {
	ts := startServer(t, Config{})
	_, tw := ts.teacher()
	code := tw.str("code")
	ts.student(code, "Alice")
	ts.student(code, "José")
	try := func(nick string) msg {
		c := ts.dial()
		c.send(msg{"v": 1, "type": "join", "code": code, "nick": nick})
		m := c.waitFor("answer", func(m msg) bool { return m.str("type") == TypeWelcome || m.str("type") == TypeError })
		c.ws.Close()
		return m
	}
	for _, tt := range []struct{ nick, want string }{
		{"\u0410lice", ErrCodeNickTaken}, // Cyrillic А
		{"ALICE", ErrCodeNickTaken},
		{"A1ice", ErrCodeNickTaken},
		{"AIice", ErrCodeNickTaken}, // capital i for l
		{"Al ice", ErrCodeNickTaken},
		{"\uff21lice", ErrCodeNickTaken}, // full-width
		{"Jose\u0301", ErrCodeNickTaken}, // decomposed é
		{"Jose", ErrCodeNickTaken},       // accents do not tell names apart on a projector
		{"Alice\ufe0f", ErrCodeBadNick},  // variation selector
		{"Alice\u034f", ErrCodeBadNick},  // combining grapheme joiner
		{"\u3164", ErrCodeBadNick},       // Hangul filler
		{"\uffa0", ErrCodeBadNick},       // half-width Hangul filler
		{"\u0301\u0301", ErrCodeBadNick}, // marks only
		{"Ali\u200dce", ErrCodeBadNick},  // zero-width joiner
		{"Bob", TypeWelcome},
	} {
		m := try(tt.nick)
		got := m.str("code")
		if m.str("type") == TypeWelcome {
			got = TypeWelcome
		}
		if got != tt.want {
			t.Errorf("join as %q: %v, want %s", tt.nick, m, tt.want)
		}
	}
	v := inspect(t, ts.srv, code)
	if v.Students != 3 {
		t.Errorf("%d students, want Alice, José and Bob", v.Students)
	}
}

// Pings are messages too: a client pinging faster than the message rate
// is closed, like one that floods messages.
func TestPingFloodClosed(t *testing.T) {
	ts := startServer(t, Config{MsgRate: 5, MsgBurst: 10})
	_, tw := ts.teacher()
	c, _ := ts.student(tw.str("code"), "Pinger")
	closed := false
	for i := 0; i < 500 && !closed; i++ {
		if err := c.ws.WriteControl(websocket.PingMessage, []byte("x"), time.Now().Add(time.Second)); err != nil {
			closed = true
		}
	}
	seen := c.waitClosed()
	if len(seen) == 0 || seen[len(seen)-1].str("code") != ErrCodeRateLimited {
		t.Errorf("ping flooder's last messages: %v", seen)
	}
}

// Shares over the wire: null inside the numbers, implausible vectors and a
// third share are refused with their own codes; nothing is stored.
func TestShareRefusals(t *testing.T) {
	ts := startServer(t, Config{})
	teacher, tw := ts.teacher()
	code := tw.str("code")
	s, _ := ts.student(code, "Mina")
	e := testEmbedding(1, 0.02, 1)
	nums := make([]string, EmbeddingDim)
	for i, x := range e {
		nums[i] = fmt.Sprintf("%.6f", x)
	}
	nums[7] = "null" // read as 0 before
	withNull := `{"v":1,"type":"share","embedding":[` + strings.Join(nums, ",") + `]}`
	for _, tt := range []struct {
		name, body, code string
	}{
		{"null number", withNull, ErrCodeBadMessage},
		{"one axis stepped far", func() string { f := e; f[3] = 0.9; return string(mustJSON(shareMsg(f))) }(), ErrCodeBadEmbed},
		{"too long", func() string {
			f := e
			for i := range f {
				f[i] *= 3
			}
			return string(mustJSON(shareMsg(f)))
		}(), ErrCodeBadEmbed},
	} {
		s.send(tt.body)
		m := s.waitType(TypeError)
		if m.str("code") != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, m, tt.code)
		}
		if tt.name == "null number" && !strings.Contains(m.str("msg"), "number 7") {
			t.Errorf("null refused for another reason: %v", m)
		}
	}
	if v := inspect(t, ts.srv, code); v.Embeddings != 0 {
		t.Fatalf("refused shares stored: %+v", v)
	}
	for i := range 2 {
		s.send(shareMsg(testEmbedding(1, 0.02, uint64(i))))
		s.waitFor("ack", func(m msg) bool { return m.str("type") == TypeState && m.obj("you").num("rev") == float64(i+1) })
	}
	s.send(shareMsg(testEmbedding(1, 0.02, 9)))
	if m := s.waitType(TypeError); m.str("code") != ErrCodeShareLimit {
		t.Errorf("third share: %v", m)
	}
	teacher.waitType(TypeClass)
}

// A room admits MaxJoins joins over its life: removing helpers and letting
// new ones in does not go on for ever.
func TestJoinsPerRoomCapped(t *testing.T) {
	ts := startServer(t, Config{MaxStudents: 4, MaxJoins: 6})
	teacher, tw := ts.teacher()
	code := tw.str("code")
	for i := range 6 {
		c, w := ts.student(code, fmt.Sprintf("S%d", i))
		teacher.send(msg{"v": 1, "type": "remove", "id": w.str("id")})
		c.waitClosed()
	}
	c := ts.dial()
	c.send(msg{"v": 1, "type": "join", "code": code, "nick": "Late"})
	if m := c.waitType(TypeError); m.str("code") != ErrCodeRoomFull {
		t.Errorf("seventh join: %v", m)
	}
}
