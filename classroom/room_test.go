package classroom

import (
	"bytes"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/facewatch/facewatch/facelib/match"
)

// Hub tests drive a room through its events with connections that have no
// socket: what the room queues and snapshots is inspected directly.

func newHubServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Rand == nil {
		cfg.Rand = seededRand(7)
	}
	cfg.SweepInterval = time.Hour
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(t.Context()) })
	return s
}

func fakeConn(s *Server) *conn { return newConn(s, nil, "192.0.2.1", "https://class.example") }

func (c *conn) events() []msg {
	var out []msg
	for {
		select {
		case b := <-c.send:
			var m msg
			json.Unmarshal(b, &m)
			out = append(out, m)
		default:
			return out
		}
	}
}

func (c *conn) snapshot() msg {
	p := c.snap.Load()
	if p == nil {
		return nil
	}
	var m msg
	json.Unmarshal(*p, &m)
	return m
}

func (c *conn) finished() bool {
	select {
	case <-c.quit:
		return true
	default:
		return false
	}
}

// settle waits until the room has handled everything posted before.
func settle(t *testing.T, r *room) roomView {
	t.Helper()
	ch := make(chan roomView, 1)
	r.post(event{kind: evDo, do: func(r *room) { ch <- r.view() }})
	return <-ch
}

func hubJoin(t *testing.T, r *room, c *conn, nick string) []byte {
	t.Helper()
	reply := make(chan []byte, 1)
	r.post(event{kind: evJoin, c: c, msg: Message{Type: TypeJoin, Code: r.code, Nick: nick}, reply: reply})
	return <-reply
}

func TestHubShareWithdrawDistances(t *testing.T) {
	s := newHubServer(t, Config{})
	tc := fakeConn(s)
	r, _, err := s.createRoom(tc)
	if err != nil {
		t.Fatal(err)
	}
	settle(t, r)
	if w := tc.events(); len(w) != 1 || w[0].str("type") != TypeWelcome || w[0].str("joinURL") != "https://class.example"+PathJoin+"#"+FormatCode(r.code) {
		t.Fatalf("teacher welcome %v", w)
	}
	embs := []match.Embedding{testEmbedding(1, 0.02, 1), testEmbedding(1, 0.02, 2), testEmbedding(2, 0.02, 1), testEmbedding(3, 0.02, 1)}
	cs := make([]*conn, len(embs))
	for i := range cs {
		cs[i] = fakeConn(s)
		if rep := hubJoin(t, r, cs[i], "N"+string(rune('a'+i))); rep != nil {
			t.Fatalf("join: %s", rep)
		}
	}
	for i, c := range cs {
		e := embs[i]
		r.post(event{kind: evMsg, c: c, msg: Message{Type: TypeShare, Embedding: &e}})
	}
	v := settle(t, r)
	if v.Embeddings != 4 || v.Distances != 6 {
		t.Fatalf("room holds %+v, want 4 embeddings, 6 distances", v)
	}
	cl := tc.snapshot()
	ids, d := classMatrix(t, cl)
	if len(ids) != 4 || cl.str("changed") != "s4" {
		t.Fatalf("class %v", cl)
	}
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			want := refDistance(embs[i], embs[j])
			if got := d[[2]string{ids[i], ids[j]}]; !binnedOK(got, want) {
				t.Errorf("d(%d,%d) = %v, want %v", i, j, got, want)
			}
		}
	}
	// The sharer's embedding is a copy: changing the message afterwards
	// changes nothing.
	embs[0][0] += 10
	r.post(event{kind: evMsg, c: cs[1], msg: Message{Type: TypeWithdraw}})
	v = settle(t, r)
	if v.Embeddings != 3 || v.Distances != 3 {
		t.Fatalf("after withdrawal %+v, want 3 embeddings, 3 distances", v)
	}
	for _, c := range cs {
		if st := c.snapshot(); st.num("sharing") != 3 || st.num("students") != 4 {
			t.Errorf("student state %v", st)
		}
	}
	if ids, _ := classMatrix(t, tc.snapshot()); len(ids) != 3 {
		t.Errorf("teacher still sees %v", ids)
	}
	// Withdraw twice: nothing changes, no crash.
	r.post(event{kind: evMsg, c: cs[1], msg: Message{Type: TypeWithdraw}})
	if v := settle(t, r); v.Embeddings != 3 {
		t.Errorf("%+v", v)
	}
}

// A client whose event queue is full is dropped; the room goes on.
func TestHubDropsClientWithFullQueue(t *testing.T) {
	s := newHubServer(t, Config{SendQueue: 2})
	tc := fakeConn(s)
	r, _, _ := s.createRoom(tc)
	slow := fakeConn(s)
	hubJoin(t, r, slow, "Slow") // its welcome fills one slot
	fast := fakeConn(s)
	hubJoin(t, r, fast, "Fast")
	fast.events()
	for i := 0; i < 5; i++ { // forbidden messages: each queues an error
		r.post(event{kind: evMsg, c: slow, msg: Message{Type: TypeEnd}})
		r.post(event{kind: evMsg, c: fast, msg: Message{Type: TypeEnd}})
		settle(t, r)
		fast.events() // the fast one reads
	}
	settle(t, r)
	if !slow.finished() {
		t.Error("slow client not dropped")
	}
	if fast.finished() {
		t.Error("fast client dropped")
	}
	if p := slow.final.Load(); p == nil || !bytes.Contains(*p, []byte(EndedTooSlow)) {
		t.Errorf("slow client's last word: %v", p)
	}
}

func TestQRPNG(t *testing.T) {
	url := JoinURL("https://facewatch.example", "K7MXQ9PZ")
	b, err := QRPNG(url, 4)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	bd := img.Bounds()
	if bd.Dx() != bd.Dy() || bd.Dx()%4 != 0 {
		t.Fatalf("QR image %v", bd)
	}
	modules := bd.Dx()/4 - 8
	if modules < 21 || (modules-17)%4 != 0 {
		t.Fatalf("%d modules is not a QR version size", modules)
	}
	dark := func(mx, my int) bool {
		r, _, _, _ := img.At((mx+4)*4+1, (my+4)*4+1).RGBA()
		return r < 0x8000
	}
	// The three finder patterns: 7x7 dark ring, light ring, 3x3 dark core.
	for _, o := range [][2]int{{0, 0}, {modules - 7, 0}, {0, modules - 7}} {
		for y := 0; y < 7; y++ {
			for x := 0; x < 7; x++ {
				ring := x == 0 || y == 0 || x == 6 || y == 6
				core := x >= 2 && x <= 4 && y >= 2 && y <= 4
				if want := ring || core; dark(o[0]+x, o[1]+y) != want {
					t.Fatalf("finder at %v: module (%d,%d) dark=%v", o, x, y, !want)
				}
			}
		}
	}
	// Quiet zone is light.
	if r, _, _, _ := img.At(1, 1).RGBA(); r < 0x8000 {
		t.Error("quiet zone is dark")
	}
	if _, err := QRPNG(url, 0); err == nil {
		t.Error("scale 0 accepted")
	}
}

func TestHandlerRoutes(t *testing.T) {
	s := newHubServer(t, Config{Fallback: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("page " + r.URL.Path))
	})})
	tests := []struct {
		method, path string
		status       int
		location     string
		body         string
	}{
		{"GET", "/teach", http.StatusFound, PathTeach, ""},
		{"GET", "/join?x=1", http.StatusFound, PathJoin + "?x=1", ""},
		{"GET", PathJoin, http.StatusOK, "", "page " + PathJoin},
		{"POST", PathWS, http.StatusMethodNotAllowed, "", ""},
		{"GET", PathWS, http.StatusForbidden, "", ""}, // no Origin, no upgrade
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.status && !(tt.path == PathWS && tt.method == "GET" && rec.Code == http.StatusBadRequest) {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, rec.Code, tt.status)
		}
		if tt.location != "" && rec.Header().Get("Location") != tt.location {
			t.Errorf("%s %s: Location %q", tt.method, tt.path, rec.Header().Get("Location"))
		}
		if tt.body != "" && rec.Body.String() != tt.body {
			t.Errorf("%s %s: body %q", tt.method, tt.path, rec.Body.String())
		}
	}
}

func TestConfigValidation(t *testing.T) {
	bad := []Config{
		{MaxRooms: -1},
		{IdleTimeout: -time.Second},
		{MsgRate: -1},
		{ReadLimit: -5},
		{PublicURL: "ftp://x"},
		{PublicURL: "not a url"},
		{Origins: []string{"https://x.example/path"}},
	}
	for _, c := range bad {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}
