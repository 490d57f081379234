package classroom

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facewatch/facewatch/facelib/match"

	"github.com/gorilla/websocket"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// seededRand is a deterministic byte source (ChaCha8) for codes and tokens.
func seededRand(seed byte) *rand.ChaCha8 {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

// testEmbedding returns a deterministic embedding shaped like a real one:
// a component shared by everybody (real embeddings are far from centred),
// person p's own direction, and noise of size jitter. Different people end
// up about 0.7 apart and the same p with jitter 0.02 about 0.3 apart, the
// ranges real dlib embeddings show either side of the 0.6 threshold.
func testEmbedding(p int, jitter float64, seed uint64) match.Embedding {
	common := rand.New(rand.NewPCG(0, 0))
	base := rand.New(rand.NewPCG(uint64(p), 1))
	noise := rand.New(rand.NewPCG(uint64(p), seed+2))
	var e match.Embedding
	for i := range e {
		e[i] = float32(common.NormFloat64()*0.1 + base.NormFloat64()*0.045 + noise.NormFloat64()*jitter)
	}
	return e
}

func refDistance(a, b match.Embedding) float64 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return math.Sqrt(s)
}

type testServer struct {
	t   *testing.T
	srv *Server
	hs  *httptest.Server
	url string // ws://…/classroom/ws
}

func startServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	if cfg.Rand == nil {
		cfg.Rand = seededRand(1)
	}
	if cfg.SweepInterval == 0 {
		cfg.SweepInterval = time.Hour // tests sweep by hand
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	ts := &testServer{t: t, srv: s, hs: hs, url: "ws" + strings.TrimPrefix(hs.URL, "http") + PathWS}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		hs.Close()
	})
	return ts
}

func (ts *testServer) origin() string { return ts.hs.URL }

// client is a test websocket client that decodes every message.
type client struct {
	t  *testing.T
	ws *websocket.Conn
}

type msg map[string]any

func (m msg) str(k string) string  { s, _ := m[k].(string); return s }
func (m msg) num(k string) float64 { f, _ := m[k].(float64); return f }
func (m msg) obj(k string) msg     { o, _ := m[k].(map[string]any); return o }
func (m msg) list(k string) []any  { l, _ := m[k].([]any); return l }
func (m msg) flag(k string) bool   { b, _ := m[k].(bool); return b }

func (ts *testServer) dial() *client {
	ts.t.Helper()
	h := http.Header{"Origin": {ts.origin()}}
	ws, _, err := websocket.DefaultDialer.Dial(ts.url, h)
	if err != nil {
		ts.t.Fatalf("dial: %v", err)
	}
	c := &client{t: ts.t, ws: ws}
	ts.t.Cleanup(func() { ws.Close() })
	return c
}

func (c *client) send(v any) {
	c.t.Helper()
	var b []byte
	switch v := v.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			c.t.Fatal(err)
		}
	}
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// read returns the next message, or an error (closed, timeout).
func (c *client) read(timeout time.Duration) (msg, []byte, error) {
	c.ws.SetReadDeadline(time.Now().Add(timeout))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		return nil, nil, err
	}
	var m msg
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, b, fmt.Errorf("server sent invalid JSON %q: %v", b, err)
	}
	if m.num("v") != 1 {
		return nil, b, fmt.Errorf("server message without v:1: %s", b)
	}
	return m, b, nil
}

// waitFor reads until a message satisfies pred and returns it.
func (c *client) waitFor(what string, pred func(msg) bool) msg {
	c.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		m, raw, err := c.read(time.Until(deadline))
		if err != nil {
			c.t.Fatalf("waiting for %s: %v (last %s)", what, err, raw)
		}
		if pred(m) {
			return m
		}
	}
}

func (c *client) waitType(typ string) msg {
	c.t.Helper()
	return c.waitFor(typ, func(m msg) bool { return m.str("type") == typ })
}

// waitClosed reads until the server closes the connection and returns
// the messages seen on the way.
func (c *client) waitClosed() []msg {
	c.t.Helper()
	var seen []msg
	deadline := time.Now().Add(5 * time.Second)
	for {
		m, _, err := c.read(time.Until(deadline))
		if err != nil {
			if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
				c.t.Fatalf("connection not closed; saw %v", seen)
			}
			return seen
		}
		seen = append(seen, m)
	}
}

// teacher opens a room and returns the client and its welcome.
func (ts *testServer) teacher() (*client, msg) {
	ts.t.Helper()
	c := ts.dial()
	c.send(`{"v":1,"type":"create"}`)
	w := c.waitType(TypeWelcome)
	if w.str("role") != "teacher" {
		ts.t.Fatalf("create: welcome %v", w)
	}
	return c, w
}

// student joins the room with code and returns the client and its welcome.
func (ts *testServer) student(code, nick string) (*client, msg) {
	ts.t.Helper()
	c := ts.dial()
	c.send(msg{"v": 1, "type": "join", "code": code, "nick": nick})
	w := c.waitFor("welcome", func(m msg) bool {
		if m.str("type") == TypeError {
			ts.t.Fatalf("join %s as %s: %v", code, nick, m)
		}
		return m.str("type") == TypeWelcome
	})
	return c, w
}

func shareMsg(e match.Embedding) msg {
	xs := make([]float64, len(e))
	for i, x := range e {
		xs[i] = math.Round(float64(x)*1e6) / 1e6
	}
	return msg{"v": 1, "type": "share", "embedding": xs}
}

// classMatrix decodes a class message's matrix into a map from id pairs
// ("s1|s2", smaller first by position) to distances.
func classMatrix(t *testing.T, m msg) (ids []string, d map[[2]string]float64) {
	t.Helper()
	mx := m.obj("matrix")
	for _, x := range mx.list("ids") {
		ids = append(ids, x.(string))
	}
	dl := mx.list("d")
	if want := len(ids) * (len(ids) - 1) / 2; len(dl) != want {
		t.Fatalf("matrix of %d ids has %d distances, want %d", len(ids), len(dl), want)
	}
	d = map[[2]string]float64{}
	k := 0
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			v, ok := dl[k].(float64)
			if !ok {
				v = -1 // withheld (null)
			}
			d[[2]string{ids[i], ids[j]}] = v
			d[[2]string{ids[j], ids[i]}] = v
			k++
		}
	}
	return ids, d
}

func waitStats(t *testing.T, s *Server, what string, ok func(Stats) bool) Stats {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := s.Stats()
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: stats %+v", what, st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func websocketDial(ts *testServer) (*websocket.Conn, *http.Response, error) {
	return websocket.DefaultDialer.Dial(ts.url, http.Header{"Origin": {ts.origin()}})
}

// binnedOK reports whether got is how the teacher should receive the exact
// distance ref: rounded down to a multiple of DistanceBin (either side of
// an edge when ref is within float32 error of it).
func binnedOK(got, ref float64) bool {
	for _, r := range []float64{ref - 1e-4, ref, ref + 1e-4} {
		if math.Abs(got-binDown(float32(r), DistanceBin)) < 1e-6 {
			return true
		}
	}
	return false
}
