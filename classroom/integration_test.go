package classroom

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/facewatch/facewatch/facelib/match"
)

// A teacher and five students: three opt in, the matrix is right, a
// withdrawal erases the numbers everywhere, ending erases everything.
func TestClassLifecycle(t *testing.T) {
	ts := startServer(t, Config{})
	teacher, tw := ts.teacher()
	code := tw.str("code")
	if c, err := NormalizeCode(tw.str("display")); err != nil || c != code {
		t.Fatalf("display code %q does not normalise to %q", tw.str("display"), code)
	}
	if want := ts.origin() + PathJoin + "#" + FormatCode(code); tw.str("joinURL") != want {
		t.Errorf("joinURL %q, want %q", tw.str("joinURL"), want)
	}
	if !strings.HasPrefix(tw.str("qr"), "data:image/png;base64,") {
		t.Errorf("qr is not a PNG data URL: %.40q", tw.str("qr"))
	}

	nicks := []string{"Mina", "Joon", "Ada", "Lee", "Sam"}
	students := make([]*client, len(nicks))
	ids := make([]string, len(nicks))
	for i, n := range nicks {
		var w msg
		// Codes as people type them.
		students[i], w = ts.student(strings.ToLower(FormatCode(code)), n)
		ids[i] = w.str("id")
		if w.str("role") != "student" || w.str("nick") != n || !validToken(w.str("token")) {
			t.Fatalf("student welcome %v", w)
		}
	}
	cl := teacher.waitFor("roster of 5", func(m msg) bool { return len(m.list("students")) == 5 })
	for i, s := range cl.list("students") {
		s := msg(s.(map[string]any))
		if s.str("nick") != nicks[i] || s.flag("shared") || s.flag("away") {
			t.Errorf("roster[%d] = %v", i, s)
		}
	}
	if len(cl.obj("matrix").list("ids")) != 0 {
		t.Fatalf("matrix before anyone shared: %v", cl.obj("matrix"))
	}

	// Students 0 and 1 are "look-alikes" (one base vector, small noise),
	// student 2 another person.
	embs := map[string]match.Embedding{
		ids[0]: testEmbedding(1, 0.02, 1),
		ids[1]: testEmbedding(1, 0.02, 2),
		ids[2]: testEmbedding(2, 0.02, 3),
	}
	for i := 0; i < 3; i++ {
		students[i].send(shareMsg(embs[ids[i]]))
		students[i].waitFor("own share acknowledged", func(m msg) bool {
			return m.str("type") == TypeState && m.obj("you").flag("shared")
		})
	}
	cl = teacher.waitFor("matrix of 3", func(m msg) bool { return len(m.obj("matrix").list("ids")) == 3 })
	mids, d := classMatrix(t, cl)
	for i := range mids {
		for j := i + 1; j < len(mids); j++ {
			want := refDistance(embs[mids[i]], embs[mids[j]])
			if got := d[[2]string{mids[i], mids[j]}]; !binnedOK(got, want) {
				t.Errorf("d(%s,%s) = %v, want %v", mids[i], mids[j], got, want)
			}
		}
	}
	if same, diff := d[[2]string{ids[0], ids[1]}], d[[2]string{ids[0], ids[2]}]; !(same < 0.6 && diff > 0.6) {
		t.Errorf("look-alikes at %.3f, different people at %.3f; want < 0.6 < ", same, diff)
	}
	st := waitStats(t, ts.srv, "3 embeddings", func(s Stats) bool { return s.Embeddings == 3 })
	if st.Rooms != 1 || st.Students != 5 {
		t.Errorf("stats %+v", st)
	}
	for _, s := range students[3:] {
		s.waitFor("sharing count 3", func(m msg) bool { return m.str("type") == TypeState && m.num("sharing") == 3 })
	}

	// Withdrawal: erased from the server and every screen.
	students[1].send(`{"v":1,"type":"withdraw"}`)
	cl = teacher.waitFor("matrix without s2", func(m msg) bool { return len(m.obj("matrix").list("ids")) == 2 })
	mids, _ = classMatrix(t, cl)
	for _, id := range mids {
		if id == ids[1] {
			t.Fatalf("withdrawn student still in the matrix: %v", mids)
		}
	}
	for _, s := range cl.list("students") {
		if s := msg(s.(map[string]any)); s.str("id") == ids[1] && s.flag("shared") {
			t.Errorf("withdrawn student still marked shared")
		}
	}
	for i, s := range students {
		s.waitFor("sharing count 2", func(m msg) bool { return m.str("type") == TypeState && m.num("sharing") == 2 })
		_ = i
	}
	waitStats(t, ts.srv, "2 embeddings", func(s Stats) bool { return s.Embeddings == 2 })
	if v := inspect(t, ts.srv, code); v.Embeddings != 2 || v.Distances != 1 {
		t.Errorf("after withdrawal room holds %+v, want 2 embeddings and 1 distance", v)
	}

	// The end: everyone told, everything erased.
	teacher.send(`{"v":1,"type":"end"}`)
	for _, c := range append([]*client{teacher}, students...) {
		seen := c.waitClosed()
		if len(seen) == 0 || seen[len(seen)-1].str("type") != TypeEnded || seen[len(seen)-1].str("reason") != EndedByTeacher {
			t.Errorf("last messages before close: %v", seen)
		}
	}
	st = waitStats(t, ts.srv, "nothing held", func(s Stats) bool { return s == Stats{} })
	if st != (Stats{}) {
		t.Errorf("after end: %+v", st)
	}
}

// inspect asks a room what it holds.
func inspect(t *testing.T, s *Server, code string) roomView {
	t.Helper()
	r := s.lookup(code)
	if r == nil {
		t.Fatalf("no room %s", code)
	}
	ch := make(chan roomView, 1)
	r.post(event{kind: evDo, do: func(r *room) { ch <- r.view() }})
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("room did not answer")
	}
	return roomView{}
}

// Students receive only the scene, the lock, counts and their own status:
// never another nickname, an embedding or a distance.
func TestStudentsSeeOnlyTheirOwn(t *testing.T) {
	ts := startServer(t, Config{})
	teacher, tw := ts.teacher()
	code := tw.str("code")
	a, _ := ts.student(code, "Alpha")
	b, _ := ts.student(code, "Bravo")
	a.send(shareMsg(testEmbedding(1, 0, 0)))
	b.send(shareMsg(testEmbedding(2, 0, 0)))
	teacher.waitFor("matrix of 2", func(m msg) bool { return len(m.obj("matrix").list("ids")) == 2 })
	teacher.send(`{"v":1,"type":"scene","scene":"matrix"}`)

	var raw bytes.Buffer
	for {
		m, b, err := a.read(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		raw.Write(b)
		if m.str("type") != TypeWelcome && m.str("type") != TypeState {
			t.Errorf("student received %q", m.str("type"))
		}
		if m.str("scene") == SceneMatrix && m.num("sharing") == 2 {
			break
		}
	}
	all := raw.String()
	for _, leak := range []string{"Bravo", "embedding", `"d"`, "matrix\":{", "0.1"} {
		if strings.Contains(all, leak) {
			t.Errorf("student stream contains %q: %s", leak, all)
		}
	}
	// And the teacher never gets an embedding either.
	teacher.send(`{"v":1,"type":"lock","locked":true}`)
	m := teacher.waitFor("locked", func(m msg) bool { return m.flag("locked") })
	if _, ok := m["embedding"]; ok || strings.Contains(fmt.Sprint(m), "embedding") {
		t.Errorf("class message carries an embedding: %v", m)
	}
}

func TestTeacherControls(t *testing.T) {
	ts := startServer(t, Config{})
	teacher, tw := ts.teacher()
	code := tw.str("code")
	a, aw := ts.student(code, "Alpha")
	b, _ := ts.student(code, "Bravo")

	// Scenes: every student follows.
	for _, sc := range Scenes {
		teacher.send(msg{"v": 1, "type": "scene", "scene": sc})
		for _, s := range []*client{a, b} {
			s.waitFor("scene "+sc, func(m msg) bool { return m.str("type") == TypeState && m.str("scene") == sc })
		}
	}

	// Nicknames are unique regardless of case.
	c := ts.dial()
	c.send(msg{"v": 1, "type": "join", "code": code, "nick": "alpha"})
	if m := c.waitType(TypeError); m.str("code") != ErrCodeNickTaken {
		t.Errorf("duplicate nick: %v", m)
	}

	// Lock: new joins get the same answer as a wrong code.
	teacher.send(`{"v":1,"type":"lock","locked":true}`)
	a.waitFor("locked", func(m msg) bool { return m.flag("locked") })
	c.send(msg{"v": 1, "type": "join", "code": code, "nick": "Charlie"})
	_, lockedReply, _ := c.read(5 * time.Second)
	if !bytes.Equal(lockedReply, joinFailed) {
		t.Errorf("join to locked room: %s, want %s", lockedReply, joinFailed)
	}
	teacher.send(`{"v":1,"type":"lock","locked":false}`)
	a.waitFor("unlocked", func(m msg) bool { return m.str("type") == TypeState && !m.flag("locked") })
	c.send(msg{"v": 1, "type": "join", "code": code, "nick": "Charlie"})
	c.waitType(TypeWelcome)

	// Students cannot use teacher messages, nor the teacher student ones.
	a.send(`{"v":1,"type":"end"}`)
	if m := a.waitType(TypeError); m.str("code") != ErrCodeForbidden || m.str("about") != TypeEnd {
		t.Errorf("student end: %v", m)
	}
	teacher.send(shareMsg(testEmbedding(9, 0, 0)))
	if m := teacher.waitType(TypeError); m.str("code") != ErrCodeForbidden {
		t.Errorf("teacher share: %v", m)
	}
	teacher.send(`{"v":1,"type":"remove","id":"s99"}`)
	if m := teacher.waitType(TypeError); m.str("code") != ErrCodeNoStudent {
		t.Errorf("remove unknown: %v", m)
	}

	// Remove: the student is told, closed and erased.
	a.send(shareMsg(testEmbedding(1, 0, 0)))
	a.waitFor("shared", func(m msg) bool { return m.str("type") == TypeState && m.obj("you").flag("shared") })
	teacher.send(msg{"v": 1, "type": "remove", "id": aw.str("id")})
	seen := a.waitClosed()
	if len(seen) == 0 || seen[len(seen)-1].str("reason") != EndedRemoved {
		t.Errorf("removed student saw %v", seen)
	}
	cl := teacher.waitFor("roster of 2", func(m msg) bool { return len(m.list("students")) == 2 })
	if strings.Contains(fmt.Sprint(cl), "Alpha") {
		t.Errorf("removed student still on the roster: %v", cl)
	}
	waitStats(t, ts.srv, "no embedding", func(s Stats) bool { return s.Embeddings == 0 && s.Students == 2 })

	// Leave: same, at the student's request.
	b.send(`{"v":1,"type":"leave"}`)
	seen = b.waitClosed()
	if len(seen) == 0 || seen[len(seen)-1].str("reason") != EndedLeft {
		t.Errorf("leaving student saw %v", seen)
	}
	waitStats(t, ts.srv, "one student", func(s Stats) bool { return s.Students == 1 })
}

// A student whose connection drops keeps their place (and consent) for
// the resume window, and is erased after it.
func TestResume(t *testing.T) {
	clock := newFakeClock()
	ts := startServer(t, Config{Now: clock.Now, ResumeWindow: time.Minute})
	teacher, tw := ts.teacher()
	code := tw.str("code")
	a, aw := ts.student(code, "Alpha")
	a.send(shareMsg(testEmbedding(1, 0, 0)))
	a.waitFor("shared", func(m msg) bool { return m.str("type") == TypeState && m.obj("you").flag("shared") })
	a.ws.Close()
	teacher.waitFor("away", func(m msg) bool {
		l := m.list("students")
		return len(l) == 1 && msg(l[0].(map[string]any)).flag("away")
	})

	clock.Advance(50 * time.Second)
	ts.srv.sweep()
	a2 := ts.dial()
	a2.send(msg{"v": 1, "type": "resume", "token": aw.str("token")})
	w := a2.waitType(TypeWelcome)
	if w.str("id") != aw.str("id") || w.str("nick") != "Alpha" {
		t.Fatalf("resume welcome %v", w)
	}
	s := a2.waitType(TypeState)
	if !s.obj("you").flag("shared") {
		t.Errorf("consent lost on resume: %v", s)
	}
	teacher.waitFor("back", func(m msg) bool {
		l := m.list("students")
		return len(l) == 1 && !msg(l[0].(map[string]any)).flag("away")
	})

	// A second resume replaces the first connection.
	a3 := ts.dial()
	a3.send(msg{"v": 1, "type": "resume", "token": aw.str("token")})
	a3.waitType(TypeWelcome)
	if seen := a2.waitClosed(); len(seen) == 0 || seen[len(seen)-1].str("reason") != EndedReplaced {
		t.Errorf("replaced connection saw %v", seen)
	}

	// Gone for longer than the window: erased.
	a3.ws.Close()
	waitStats(t, ts.srv, "away", func(Stats) bool { return inspect(t, ts.srv, code).Connected == 0 })
	clock.Advance(61 * time.Second)
	ts.srv.sweep()
	teacher.waitFor("empty roster", func(m msg) bool { return m.str("type") == TypeClass && len(m.list("students")) == 0 })
	if st := ts.srv.Stats(); st.Embeddings != 0 || st.Students != 0 {
		t.Errorf("after the window: %+v", st)
	}
	a4 := ts.dial()
	a4.send(msg{"v": 1, "type": "resume", "token": aw.str("token")})
	if _, b, _ := a4.read(5 * time.Second); !bytes.Equal(b, joinFailed) {
		t.Errorf("stale token: %s", b)
	}

	// The teacher can resume too.
	teacher.ws.Close()
	t2 := ts.dial()
	t2.send(msg{"v": 1, "type": "resume", "token": tw.str("token")})
	if w := t2.waitType(TypeWelcome); w.str("role") != "teacher" || w.str("code") != code {
		t.Errorf("teacher resume: %v", w)
	}
}

func TestTimeoutsEraseRooms(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(ts *testServer, teacher *client)
		advance time.Duration
	}{
		{"idle", func(*testServer, *client) {}, 30 * time.Minute},
		{"teacher gone", func(ts *testServer, teacher *client) {
			teacher.ws.Close()
			waitStats(t, ts.srv, "teacher gone", func(s Stats) bool { return s.Connections == 1 })
		}, 10 * time.Minute},
		{"max age", func(ts *testServer, teacher *client) {}, 8 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			ts := startServer(t, Config{Now: clock.Now, IdleTimeout: 30 * time.Minute, TeacherGrace: 10 * time.Minute, MaxShares: 100})
			teacher, tw := ts.teacher()
			code := tw.str("code")
			a, _ := ts.student(code, "Alpha")
			a.send(shareMsg(testEmbedding(1, 0, 0)))
			a.waitFor("shared", func(m msg) bool { return m.str("type") == TypeState && m.obj("you").flag("shared") })
			tt.prepare(ts, teacher)
			if tt.name == "max age" {
				// Keep the room active so that only its age ends it.
				for i := 0; i < 16; i++ {
					clock.Advance(29 * time.Minute)
					a.send(shareMsg(testEmbedding(1, 0, uint64(i))))
					a.waitFor("ack", func(m msg) bool { return m.obj("you").num("rev") == float64(i+2) })
					ts.srv.sweep()
				}
				if ts.srv.Stats().Rooms != 1 {
					t.Fatal("active room ended before its maximum age")
				}
				clock.Advance(tt.advance - 16*29*time.Minute)
			} else {
				clock.Advance(tt.advance - time.Second)
				ts.srv.sweep()
				if inspect(t, ts.srv, code).Embeddings != 1 {
					t.Fatal("room erased too early")
				}
				clock.Advance(time.Second)
			}
			ts.srv.sweep()
			seen := a.waitClosed()
			if len(seen) == 0 || seen[len(seen)-1].str("reason") != EndedIdle {
				t.Errorf("student saw %v", seen)
			}
			waitStats(t, ts.srv, "all erased", func(s Stats) bool { return s == Stats{} })

			// The expired code gets exactly the wrong-code answer.
			c := ts.dial()
			c.send(msg{"v": 1, "type": "join", "code": code, "nick": "Late"})
			_, expired, _ := c.read(5 * time.Second)
			wrong := code[:7] + string(CodeAlphabet[(strings.IndexByte(CodeAlphabet, code[7])+1)%len(CodeAlphabet)])
			c.send(msg{"v": 1, "type": "join", "code": wrong, "nick": "Late"})
			_, wrongReply, _ := c.read(5 * time.Second)
			if !bytes.Equal(expired, wrongReply) || !bytes.Equal(expired, joinFailed) {
				t.Errorf("expired code answer %s, wrong code answer %s", expired, wrongReply)
			}
		})
	}
}

func TestShutdownTellsClientsAndErases(t *testing.T) {
	ts := startServer(t, Config{})
	teacher, tw := ts.teacher()
	a, _ := ts.student(tw.str("code"), "Alpha")
	a.send(shareMsg(testEmbedding(1, 0, 0)))
	a.waitFor("shared", func(m msg) bool { return m.obj("you").flag("shared") })
	lobby := ts.dial() // connected, never joined
	lobby.send(`{"v":1,"type":"withdraw"}`)
	lobby.waitType(TypeError)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client{teacher, a, lobby} {
		seen := c.waitClosed()
		if len(seen) == 0 || seen[len(seen)-1].str("reason") != EndedShutdown {
			t.Errorf("saw %v before close", seen)
		}
	}
	if st := ts.srv.Stats(); st != (Stats{}) {
		t.Errorf("after shutdown: %+v", st)
	}
	if err := ts.srv.Shutdown(ctx); err != ErrClosed {
		t.Errorf("second Shutdown: %v", err)
	}
	if _, resp, err := websocketDial(ts); err == nil || resp == nil || resp.StatusCode != 503 {
		t.Errorf("dial after shutdown: %v %v", resp, err)
	}
}
