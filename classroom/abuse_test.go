package classroom

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// otherRoomWorks checks that a separate room still answers promptly.
func otherRoomWorks(t *testing.T, teacher, student *client, rev int) {
	t.Helper()
	student.send(shareMsg(testEmbedding(5, 0.01, uint64(rev))))
	student.waitFor("ack", func(m msg) bool { return m.obj("you").num("rev") == float64(rev) })
	teacher.waitFor("class update", func(m msg) bool { return m.str("type") == TypeClass && m.str("changed") != "" })
}

func TestAbuseSingleConnection(t *testing.T) {
	ts := startServer(t, Config{MsgRate: 10, MsgBurst: 40, MaxShares: 1000})
	// A healthy room next door.
	ot, ow := ts.teacher()
	os, _ := ts.student(ow.str("code"), "Bystander")
	rev := 1
	otherRoomWorks(t, ot, os, rev)

	_, tw := ts.teacher()
	code := tw.str("code")
	tests := []struct {
		name   string
		attack func(c *client)
		closed bool
		check  func(t *testing.T, seen []msg)
	}{
		{"oversized message", func(c *client) {
			c.send(`{"v":1,"type":"end","pad":"` + strings.Repeat("x", MaxMessageBytes) + `"}`)
		}, true, nil},
		{"flood", func(c *client) {
			for i := 0; i < 500; i++ {
				if c.ws.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"withdraw"}`)) != nil {
					return
				}
			}
		}, true, func(t *testing.T, seen []msg) {
			if len(seen) == 0 || seen[len(seen)-1].str("code") != ErrCodeRateLimited {
				t.Errorf("flooder's last message: %v", seen)
			}
		}},
		{"malformed JSON", func(c *client) {
			for _, bad := range []string{`{"v":1,"type":`, `{"v":1,"type":"share","embedding":[1,2,3]}`, `\x00\x01`, `{"v":1,"type":"hack"}`} {
				c.send(bad)
				if m := c.waitType(TypeError); m.str("code") != ErrCodeBadMessage {
					t.Errorf("reply to %q: %v", bad, m)
				}
			}
			// Still usable afterwards.
			c.send(`{"v":1,"type":"withdraw"}`)
			if m := c.waitType(TypeState); m.obj("you").flag("shared") {
				t.Errorf("state %v", m)
			}
		}, false, nil},
		{"binary frame", func(c *client) {
			c.ws.WriteMessage(websocket.BinaryMessage, []byte{0x89, 'P', 'N', 'G'})
			if m := c.waitType(TypeError); m.str("code") != ErrCodeBadMessage {
				t.Errorf("reply to binary: %v", m)
			}
		}, false, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := ts.student(code, "Attacker"+string(rune('A'+i)))
			tt.attack(c)
			if tt.closed {
				seen := c.waitClosed()
				if tt.check != nil {
					tt.check(t, seen)
				}
			}
			rev++
			otherRoomWorks(t, ot, os, rev)
		})
	}
	if st := ts.srv.Stats(); st.Rooms != 2 {
		t.Errorf("stats after attacks: %+v", st)
	}
}

func TestCrossOriginRefused(t *testing.T) {
	ts := startServer(t, Config{Origins: []string{"https://facewatch.example"}})
	tests := []struct {
		origin string
		status int
	}{
		{"http://evil.example", http.StatusForbidden},
		{"", http.StatusForbidden},
		{"null", http.StatusForbidden},
		{"file://", http.StatusForbidden},
		{strings.Replace(ts.origin(), "http://", "ftp://", 1), http.StatusForbidden},
		{ts.origin() + ".evil.example", http.StatusForbidden},
		{ts.origin(), http.StatusSwitchingProtocols},
		{"https://facewatch.example", http.StatusSwitchingProtocols},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.origin != "" {
			h.Set("Origin", tt.origin)
		}
		ws, resp, err := websocket.DefaultDialer.Dial(ts.url, h)
		if resp == nil {
			t.Fatalf("origin %q: no response: %v", tt.origin, err)
		}
		if resp.StatusCode != tt.status {
			t.Errorf("origin %q: status %d, want %d", tt.origin, resp.StatusCode, tt.status)
		}
		if ws != nil {
			ws.Close()
		}
	}
	waitStats(t, ts.srv, "no connections left", func(s Stats) bool { return s.Connections == 0 })
}

// 10,000 join attempts with wrong codes from one address: the limiter
// answers nearly all of them, nobody joins, not even with the right code
// once the budget is spent, and the address recovers after a while.
func TestJoinBruteForceRateLimited(t *testing.T) {
	clock := newFakeClock()
	cfg := Config{Now: clock.Now, JoinBurst: 20, JoinRate: 0.2, MsgBurst: 50}
	ts := startServer(t, cfg)
	teacher, tw := ts.teacher() // spends one of the 20
	code := tw.str("code")

	const attempts = 10000
	src := seededRand(9)
	counts := map[string]int{}
	sent := 0
	for sent < attempts {
		c := ts.dial()
		batch := min(maxRefusedBeforeHello, attempts-sent)
		for i := 0; i < batch; i++ {
			guess := code
			if (sent+i)%100 != 99 { // every 100th try uses the real code
				for guess == code {
					guess, _ = newCode(src)
				}
			}
			c.send(msg{"v": 1, "type": "join", "code": guess, "nick": "Robot"})
		}
		for i := 0; i < batch; i++ {
			m, _, err := c.read(5 * time.Second)
			if err != nil {
				t.Fatalf("attempt %d: %v", sent+i, err)
			}
			counts[m.str("type")+"/"+m.str("code")]++
		}
		c.ws.Close()
		sent += batch
	}
	if n := counts[TypeError+"/"+ErrCodeJoinFailed]; n != cfg.JoinBurst-1 {
		t.Errorf("%d attempts were checked, want the burst of %d", n, cfg.JoinBurst-1)
	}
	if n := counts[TypeError+"/"+ErrCodeRateLimited]; n != attempts-(cfg.JoinBurst-1) {
		t.Errorf("%d attempts rate-limited, want %d (replies %v)", n, attempts-(cfg.JoinBurst-1), counts)
	}
	if counts[TypeWelcome+"/"] != 0 || ts.srv.Stats().Students != 0 {
		t.Fatalf("someone joined: %v %+v", counts, ts.srv.Stats())
	}
	if v := inspect(t, ts.srv, code); v.Students != 0 {
		t.Fatalf("room has %d students", v.Students)
	}
	if ts.srv.joins.size() != 1 {
		t.Errorf("limiter tracks %d addresses, want 1", ts.srv.joins.size())
	}

	// Time heals: after a minute the address may try again.
	clock.Advance(time.Minute)
	ts.srv.sweep()
	ts.student(code, "Human")
	teacher.waitFor("one student", func(m msg) bool { return len(m.list("students")) == 1 })
}

// A teacher screen that never reads must not hold up the room: students
// keep getting prompt answers, the stuck connection is dropped after the
// write deadline, and the teacher can come back.
func TestSlowReaderDoesNotBlockRoom(t *testing.T) {
	s, err := New(Config{WriteWait: 200 * time.Millisecond, MsgRate: 1000, MsgBurst: 1000, MaxShares: 100000, MaxCompared: 100000, Rand: seededRand(3), SweepInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// Small server-side send buffers, as on a slow network (the kernel
	// would otherwise absorb megabytes for the stuck client).
	hs := httptest.NewUnstartedServer(s.Handler())
	hs.Listener = smallBufListener{hs.Listener}
	hs.Start()
	defer hs.Close()
	defer s.Shutdown(context.Background())
	ts := &testServer{t: t, srv: s, hs: hs, url: "ws" + strings.TrimPrefix(hs.URL, "http") + PathWS}

	// The stuck teacher: a tiny receive buffer, and it never reads.
	d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err == nil {
			c.(*net.TCPConn).SetReadBuffer(1024)
		}
		return c, err
	}}
	stuck, _, err := d.Dial(ts.url, http.Header{"Origin": {ts.origin()}})
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	stuck.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"create"}`))
	// Read only the welcome, to learn the code.
	_, b, err := stuck.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	code := string(b[bytes.Index(b, []byte(`"code":"`))+8:][:CodeLen])
	token := string(b[bytes.Index(b, []byte(`"token":"`))+9:][:tokenLen])

	const n = 12
	students := make([]*client, n)
	for i := range students {
		students[i], _ = ts.student(code, fmt.Sprintf("Student %d", i))
	}
	waitStats(t, ts.srv, "students in", func(s Stats) bool { return s.Students == n })
	var worst time.Duration
	dropped := false
	// Keep the class busy until the stuck teacher has been dropped (the
	// write deadline must pass first).
	begin := time.Now()
	for round := 1; !dropped && time.Since(begin) < 10*time.Second; round++ {
		for i, s := range students {
			start := time.Now()
			s.send(shareMsg(testEmbedding(i, 0.01, uint64(round))))
			s.waitFor("ack", func(m msg) bool { return m.str("type") == TypeState && m.obj("you").num("rev") == float64(round) })
			worst = max(worst, time.Since(start))
		}
		dropped = !inspect(t, ts.srv, code).Teacher
	}
	if !dropped {
		t.Fatal("the stuck teacher was never dropped")
	}
	// Generous bound: this guards against the room blocking for the write
	// deadline or longer, not a speed measurement.
	if worst >= 2*time.Second {
		t.Errorf("slowest student answer %v while the teacher was stuck", worst)
	}
	if st := ts.srv.Stats(); st.Rooms != 1 || st.Embeddings != n {
		t.Errorf("stats %+v", st)
	}
	t2 := ts.dial()
	t2.send(msg{"v": 1, "type": "resume", "token": token})
	t2.waitType(TypeWelcome)
	cl := t2.waitType(TypeClass)
	if _, dm := classMatrix(t, cl); len(dm) != n*(n-1) {
		t.Errorf("resumed teacher sees %d distances", len(dm)/2)
	}
}

type smallBufListener struct{ net.Listener }

func (l smallBufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

func TestCapsOnRoomsStudentsConnections(t *testing.T) {
	ts := startServer(t, Config{MaxRooms: 2, MaxStudents: 2, MaxConns: 6})
	_, tw := ts.teacher()
	ts.teacher()
	c := ts.dial()
	c.send(`{"v":1,"type":"create"}`)
	if m := c.waitType(TypeError); m.str("code") != ErrCodeServerFull {
		t.Errorf("third room: %v", m)
	}
	ts.student(tw.str("code"), "One")
	ts.student(tw.str("code"), "Two")
	ts.dial()
	c.send(msg{"v": 1, "type": "join", "code": tw.str("code"), "nick": "Three"})
	if m := c.waitType(TypeError); m.str("code") != ErrCodeRoomFull {
		t.Errorf("third student: %v", m)
	}
	// Six connections are open: the seventh is refused at the door.
	waitStats(t, ts.srv, "6 connections", func(s Stats) bool { return s.Connections == 6 })
	if _, resp, err := websocketDial(ts); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("seventh connection: %v %v", resp, err)
	}
}

func TestHelloTimeout(t *testing.T) {
	ts := startServer(t, Config{HelloTimeout: 100 * time.Millisecond})
	c := ts.dial()
	start := time.Now()
	c.waitClosed()
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("silent connection kept %v", el)
	}
	waitStats(t, ts.srv, "closed", func(s Stats) bool { return s.Connections == 0 })
}
