package classroom

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/facewatch/facewatch/facelib/match"
)

// gate joins the room with code as a gate camera.
func (ts *testServer) gate(code string) (*client, msg) {
	ts.t.Helper()
	c := ts.dial()
	c.send(msg{"v": 1, "type": "gate", "code": code})
	w := c.waitFor("gate welcome", func(m msg) bool {
		if m.str("type") == TypeError {
			ts.t.Fatalf("gate %s: %v", code, m)
		}
		return m.str("type") == TypeWelcome
	})
	if w.str("role") != "gate" || !strings.HasPrefix(w.str("id"), "g") || !validToken(w.str("token")) {
		ts.t.Fatalf("gate welcome %v", w)
	}
	return c, w
}

func seenMsg(e match.Embedding) msg {
	m := shareMsg(e)
	m["type"] = TypeSeen
	return m
}

// gateReady has the teacher make the gate device id gate letter and its
// operator opt in, and waits for the gate to say so.
func gateReady(t *testing.T, teacher, g *client, id, letter string) {
	t.Helper()
	teacher.send(msg{"v": 1, "type": "assign", "id": id, "gate": letter})
	g.waitFor("gate "+letter, func(m msg) bool { return m.str("type") == TypeGateState && m.str("gate") == letter })
	g.send(`{"v":1,"type":"watch","on":true}`)
	g.waitFor("watching", func(m msg) bool { return m.str("type") == TypeGateState && m.flag("on") })
}

// journeyOf returns the journey of the student nick in a class message
// (nil when nick is not in it).
func journeyOf(t *testing.T, cl msg, nick string) []msg {
	t.Helper()
	for _, s := range cl.list("students") {
		s := msg(s.(map[string]any))
		if s.str("nick") == nick {
			var out []msg
			for _, x := range s.list("journey") {
				out = append(out, msg(x.(map[string]any)))
			}
			return out
		}
	}
	return nil
}

func gatesOf(j []msg) string {
	var b strings.Builder
	for _, s := range j {
		b.WriteString(s.str("gate"))
	}
	return b.String()
}

// A gate device joins, the teacher sees it and makes it a gate; nothing it
// sends is taken before its operator opts in, and stopping stops it again.
func TestGateHelloAndOptIn(t *testing.T) {
	ts := startServer(t, Config{})
	teacher, tw := ts.teacher()
	code := tw.str("code")
	if !slices.Equal(anyStrings(tw.list("gates")), Gates) {
		t.Errorf("teacher welcome gates %v", tw.list("gates"))
	}
	g, gw := ts.gate(strings.ToLower(FormatCode(code)))
	id := gw.str("id")
	st := g.waitType(TypeGateState)
	if st.str("gate") != "" || st.flag("on") || st.num("sent") != 0 || st.str("id") != id {
		t.Fatalf("first gate state %v", st)
	}
	cl := teacher.waitFor("gate in class view", func(m msg) bool { return len(m.list("gates")) == 1 })
	if gg := msg(cl.list("gates")[0].(map[string]any)); gg.str("id") != id || gg.str("gate") != "" || gg.flag("on") {
		t.Fatalf("class view gate %v", gg)
	}
	// A wrong code gets the join answer, like a student's.
	bad := ts.dial()
	bad.send(`{"v":1,"type":"gate","code":"2345-6789"}`)
	if e := bad.waitType(TypeError); e.str("code") != ErrCodeJoinFailed {
		t.Fatalf("gate with wrong code: %v", e)
	}

	face := seenMsg(testEmbedding(1, 0.02, 9))
	g.send(face)
	if e := g.waitType(TypeError); e.str("code") != ErrCodeNotWatching || e.str("about") != TypeSeen {
		t.Fatalf("seen before a gate is chosen: %v", e)
	}
	teacher.send(msg{"v": 1, "type": "assign", "id": id, "gate": "A"})
	g.waitFor("gate A", func(m msg) bool { return m.str("type") == TypeGateState && m.str("gate") == "A" })
	g.send(face)
	if e := g.waitType(TypeError); e.str("code") != ErrCodeNotWatching {
		t.Fatalf("seen before the operator opts in: %v", e)
	}
	if v := inspect(t, ts.srv, code); v.GateSeen != 0 {
		t.Fatalf("faces taken before opt-in: %+v", v)
	}
	g.send(`{"v":1,"type":"watch","on":true}`)
	g.waitFor("watching", func(m msg) bool { return m.str("type") == TypeGateState && m.flag("on") })
	teacher.waitFor("gate on in class view", func(m msg) bool {
		gs := m.list("gates")
		return len(gs) == 1 && msg(gs[0].(map[string]any)).flag("on") && msg(gs[0].(map[string]any)).str("gate") == "A"
	})
	g.send(face)
	g.waitFor("taken", func(m msg) bool { return m.str("type") == TypeGateState && m.num("sent") == 1 })
	g.send(`{"v":1,"type":"watch","on":false}`)
	g.waitFor("stopped", func(m msg) bool { return m.str("type") == TypeGateState && !m.flag("on") })
	g.send(face)
	if e := g.waitType(TypeError); e.str("code") != ErrCodeNotWatching {
		t.Fatalf("seen after stopping: %v", e)
	}
	// Gates may not send what students or teachers send, and the other way round.
	for _, m := range []string{`{"v":1,"type":"share","embedding":` + embArray(testEmbedding(1, 0, 1)) + `}`, `{"v":1,"type":"scene","scene":"gates"}`, `{"v":1,"type":"notme","sighting":"x1"}`} {
		g.send(m)
		if e := g.waitType(TypeError); e.str("code") != ErrCodeForbidden {
			t.Errorf("gate sent %.30s: %v", m, e)
		}
	}
	s, _ := ts.student(code, "Mina")
	s.send(face)
	if e := s.waitType(TypeError); e.str("code") != ErrCodeForbidden {
		t.Errorf("student sent seen: %v", e)
	}
	teacher.send(face)
	if e := teacher.waitType(TypeError); e.str("code") != ErrCodeForbidden {
		t.Errorf("teacher sent seen: %v", e)
	}
	teacher.send(`{"v":1,"type":"assign","id":"g9","gate":"B"}`)
	if e := teacher.waitType(TypeError); e.str("code") != ErrCodeNoGate {
		t.Errorf("assign to no gate: %v", e)
	}
	// The teacher removes the gate device.
	teacher.send(msg{"v": 1, "type": "remove", "id": id})
	seen := g.waitClosed()
	if len(seen) == 0 || seen[len(seen)-1].str("reason") != EndedRemoved {
		t.Errorf("removed gate saw %v", seen)
	}
	waitStats(t, ts.srv, "gate removed", func(s Stats) bool { return s.Gates == 0 })
}

func anyStrings(l []any) []string {
	var out []string
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// A gate sends at most GateBurst faces at once and GateRate after that;
// the room takes at most MaxGateSeen over its life. Refused faces are not
// compared with anyone.
func TestGateRateLimits(t *testing.T) {
	clock := newFakeClock()
	ts := startServer(t, Config{Now: clock.Now, MaxGateSeen: 5})
	teacher, tw := ts.teacher()
	code := tw.str("code")
	mina, _ := ts.student(code, "Mina")
	mina.send(shareMsg(testEmbedding(1, 0.02, 1)))
	mina.waitFor("shared", func(m msg) bool { return m.str("type") == TypeState && m.obj("you").flag("shared") })
	g, gw := ts.gate(code)
	gateReady(t, teacher, g, gw.str("id"), "A")

	stranger := seenMsg(testEmbedding(5, 0.02, 1))
	for i := 1; i <= 3; i++ {
		g.send(stranger)
		g.waitFor("taken", func(m msg) bool { return m.str("type") == TypeGateState && m.num("sent") == float64(i) })
	}
	g.send(seenMsg(testEmbedding(1, 0.02, 2))) // Mina's face, over the burst: not compared
	if e := g.waitType(TypeError); e.str("code") != ErrCodeRateLimited || e.str("about") != TypeSeen {
		t.Fatalf("fourth face at once: %v", e)
	}
	if v := inspect(t, ts.srv, code); v.Sightings != 0 || v.GateSeen != 3 {
		t.Fatalf("a refused face was compared: %+v", v)
	}
	clock.Advance(3 * time.Second) // one more at 20 a minute
	g.send(stranger)
	g.waitFor("taken after 3 s", func(m msg) bool { return m.str("type") == TypeGateState && m.num("sent") == 4 })
	g.send(stranger)
	if e := g.waitType(TypeError); e.str("code") != ErrCodeRateLimited {
		t.Fatalf("fifth face 3 s later: %v", e)
	}
	clock.Advance(time.Hour)
	g.send(stranger)
	g.waitFor("fifth taken", func(m msg) bool { return m.str("type") == TypeGateState && m.num("sent") == 5 })
	g.send(stranger)
	if e := g.waitType(TypeError); e.str("code") != ErrCodeGateLimit {
		t.Fatalf("sixth face in a room that takes five: %v", e)
	}
	// A second gate device shares the room's cap.
	g2, g2w := ts.gate(code)
	gateReady(t, teacher, g2, g2w.str("id"), "B")
	g2.send(seenMsg(testEmbedding(1, 0.02, 2)))
	if e := g2.waitType(TypeError); e.str("code") != ErrCodeGateLimit {
		t.Fatalf("another gate over the room's cap: %v", e)
	}
	if v := inspect(t, ts.srv, code); v.Sightings != 0 || v.GateSeen != 5 {
		t.Fatalf("after the cap: %+v", v)
	}
}

// A face that matches no one who shares leaves nothing in the room: no
// sighting, no distance, no vector, and its numbers are zeroed in the
// message the room was handed.
func TestGateUnmatchedFaceLeavesNoTrace(t *testing.T) {
	s := newHubServer(t, Config{})
	tc := fakeConn(s)
	r, _, err := s.createRoom(tc)
	if err != nil {
		t.Fatal(err)
	}
	a, b := fakeConn(s), fakeConn(s)
	hubJoin(t, r, a, "Mina")
	hubJoin(t, r, b, "Joon")
	ea, eb := testEmbedding(1, 0.02, 1), testEmbedding(2, 0.02, 1)
	r.post(event{kind: evMsg, c: a, msg: Message{Type: TypeShare, Embedding: &ea}})
	r.post(event{kind: evMsg, c: b, msg: Message{Type: TypeShare, Embedding: &eb}})
	gc := fakeConn(s)
	reply := make(chan []byte, 1)
	r.post(event{kind: evGate, c: gc, msg: Message{Type: TypeGate, Code: r.code}, reply: reply})
	if refusal := <-reply; refusal != nil {
		t.Fatalf("gate refused: %s", refusal)
	}
	r.post(event{kind: evMsg, c: tc, msg: Message{Type: TypeAssign, ID: "g1", Gate: "A"}})
	r.post(event{kind: evMsg, c: gc, msg: Message{Type: TypeWatch, On: true}})
	before := settle(t, r)
	classBefore := *tc.snap.Load()
	gateBefore := gc.snapshot()

	stranger := testEmbedding(7, 0.02, 3)
	if d := refDistance(stranger, ea); d < 0.6 {
		t.Fatalf("the stranger is %.2f from Mina", d)
	}
	face := stranger
	r.post(event{kind: evMsg, c: gc, msg: Message{Type: TypeSeen, Embedding: &face}})
	after := settle(t, r)
	if face != (match.Embedding{}) {
		t.Errorf("the room kept the unmatched face's numbers in its message")
	}
	before.GateSeen++ // the one thing that changes: the room's count of faces taken
	if after != before {
		t.Errorf("room after an unmatched face %+v, before %+v", after, before)
	}
	if got := *tc.snap.Load(); string(got) != string(classBefore) {
		t.Errorf("the teacher's view changed:\n%s\n%s", classBefore, got)
	}
	for _, st := range r.students {
		if len(st.journey) != 0 || st.gateDists != 0 {
			t.Errorf("%s has a sighting or a used comparison: %+v", st.nick, st.journey)
		}
	}
	// No vector in the room is within reach of the stranger's but the
	// shares: the room holds two embeddings, Mina's and Joon's.
	n := 0
	for _, st := range r.students {
		if st.emb != nil {
			n++
			if refDistance(*st.emb, stranger) < 0.6 {
				t.Errorf("a vector near the stranger's is held")
			}
		}
	}
	if n != 2 || s.Stats().Sightings != 0 {
		t.Errorf("embeddings %d, stats %+v", n, s.Stats())
	}
	gateAfter := gc.snapshot()
	if gateAfter.num("sent") != gateBefore.num("sent")+1 {
		t.Errorf("gate state %v after %v", gateAfter, gateBefore)
	}
	// A matched face is zeroed as well, once it has become a sighting.
	mine := testEmbedding(1, 0.02, 4)
	r.post(event{kind: evMsg, c: gc, msg: Message{Type: TypeSeen, Embedding: &mine}})
	if v := settle(t, r); v.Sightings != 1 || mine != (match.Embedding{}) {
		t.Errorf("matched face: %+v, numbers zeroed %v", v, mine == (match.Embedding{}))
	}
}

// Mina's face at gate A then gate B: the teacher sees the journey A → B
// with times and binned distances, Mina sees her own, Joon sees nothing of
// it, and the gates learn nothing but their own counts.
func TestGateSightingsJourney(t *testing.T) {
	clock := newFakeClock()
	ts := startServer(t, Config{Now: clock.Now})
	teacher, tw := ts.teacher()
	code := tw.str("code")
	mina, _ := ts.student(code, "Mina")
	joon, _ := ts.student(code, "Joon")
	em, ej := testEmbedding(1, 0.02, 1), testEmbedding(2, 0.02, 1)
	mina.send(shareMsg(em))
	mina.waitFor("Mina shared", func(m msg) bool { return m.str("type") == TypeState && m.obj("you").flag("shared") })
	joon.send(shareMsg(ej))
	joon.waitFor("Joon shared", func(m msg) bool { return m.str("type") == TypeState && m.obj("you").flag("shared") })
	ga, gaw := ts.gate(code)
	gb, gbw := ts.gate(code)
	gateReady(t, teacher, ga, gaw.str("id"), "A")
	gateReady(t, teacher, gb, gbw.str("id"), "B")

	atA := testEmbedding(1, 0.02, 2)
	atB := testEmbedding(1, 0.02, 3)
	stranger := testEmbedding(9, 0.02, 1)
	t0 := clock.Now()
	ga.send(seenMsg(atA))
	ga.waitFor("A took it", func(m msg) bool { return m.str("type") == TypeGateState && m.num("sent") == 1 })
	clock.Advance(2 * time.Minute)
	ga.send(seenMsg(stranger))
	ga.waitFor("A took the stranger", func(m msg) bool { return m.str("type") == TypeGateState && m.num("sent") == 2 })
	gb.send(seenMsg(atB))
	gb.waitFor("B took it", func(m msg) bool { return m.str("type") == TypeGateState && m.num("sent") == 1 })
	clock.Advance(10 * time.Second)
	gb.send(seenMsg(testEmbedding(1, 0.02, 5))) // Mina still at B: the same sighting
	gb.waitFor("B took it again", func(m msg) bool { return m.str("type") == TypeGateState && m.num("sent") == 2 })

	cl := teacher.waitFor("journey A → B", func(m msg) bool {
		return m.str("type") == TypeClass && gatesOf(journeyOf(t, m, "Mina")) == "AB"
	})
	j := journeyOf(t, cl, "Mina")
	for i, want := range []struct {
		emb match.Embedding
		at  time.Time
	}{{atA, t0}, {atB, t0.Add(2 * time.Minute)}} {
		if ms := int64(j[i].num("t")); ms != want.at.UnixMilli() {
			t.Errorf("sighting %d at %d, want %d", i, ms, want.at.UnixMilli())
		}
		if d := j[i].num("d"); !binnedOK(d, refDistance(want.emb, em)) {
			t.Errorf("sighting %d distance %v, want %v binned", i, d, refDistance(want.emb, em))
		}
		if j[i].flag("notMe") || !strings.HasPrefix(j[i].str("id"), "x") {
			t.Errorf("sighting %d = %v", i, j[i])
		}
	}
	if len(journeyOf(t, cl, "Joon")) != 0 {
		t.Errorf("Joon was sighted: %v", journeyOf(t, cl, "Joon"))
	}
	ms := mina.waitFor("Mina's own journey", func(m msg) bool {
		return m.str("type") == TypeState && len(m.obj("you").list("journey")) == 2
	})
	raw, _ := json.Marshal(ms.obj("you").list("journey"))
	wantRaw, _ := json.Marshal(cl.list("students")[0].(map[string]any)["journey"])
	if string(raw) != string(wantRaw) {
		t.Errorf("Mina's journey %s, the teacher's %s", raw, wantRaw)
	}
	if v := inspect(t, ts.srv, code); v.Sightings != 2 || v.Embeddings != 2 || v.GateSeen != 4 {
		t.Errorf("room %+v", v)
	}

	// Joon's state never names Mina nor carries her sightings; the gates
	// receive only their own state.
	joon.send(`{"v":1,"type":"notme","sighting":"` + j[0].str("id") + `"}`)
	if e := joon.waitFor("refusal", func(m msg) bool {
		if m.str("type") == TypeState && len(m.obj("you").list("journey")) != 0 {
			t.Errorf("Joon received a journey: %v", m)
		}
		return m.str("type") == TypeError
	}); e.str("code") != ErrCodeNoSighting {
		t.Errorf("Joon marks Mina's sighting: %v", e)
	}
	drainCheck(t, joon, func(m msg, raw []byte) {
		if strings.Contains(string(raw), "Mina") || (m.str("type") == TypeState && len(m.obj("you").list("journey")) != 0) {
			t.Errorf("Joon received %s", raw)
		}
	})
	for _, g := range []*client{ga, gb} {
		drainCheck(t, g, func(m msg, raw []byte) { checkGateMessage(t, m, raw) })
	}

	// "That wasn't me": Mina marks the sighting at B.
	mina.send(`{"v":1,"type":"notme","sighting":"` + j[1].str("id") + `"}`)
	cl = teacher.waitFor("marked", func(m msg) bool {
		j := journeyOf(t, m, "Mina")
		return m.str("type") == TypeClass && len(j) == 2 && j[1].flag("notMe") && !j[0].flag("notMe")
	})
	mina.waitFor("marked on Mina's page", func(m msg) bool {
		j := m.obj("you").list("journey")
		return m.str("type") == TypeState && len(j) == 2 && msg(j[1].(map[string]any)).flag("notMe")
	})

	// Withdrawing erases Mina's journey everywhere.
	mina.send(`{"v":1,"type":"withdraw"}`)
	teacher.waitFor("journey erased", func(m msg) bool { return m.str("type") == TypeClass && len(journeyOf(t, m, "Mina")) == 0 })
	mina.waitFor("own journey erased", func(m msg) bool {
		return m.str("type") == TypeState && !m.obj("you").flag("shared") && len(m.obj("you").list("journey")) == 0
	})
	if v := inspect(t, ts.srv, code); v.Sightings != 0 || v.Embeddings != 1 {
		t.Errorf("after withdrawing: %+v", v)
	}
	// Her face at a gate now matches no one.
	clock.Advance(time.Minute)
	ga.send(seenMsg(testEmbedding(1, 0.02, 6)))
	ga.waitFor("A took it", func(m msg) bool { return m.str("type") == TypeGateState && m.num("sent") == 3 })
	if v := inspect(t, ts.srv, code); v.Sightings != 0 {
		t.Errorf("withdrawn student sighted: %+v", v)
	}

	// Joon is sighted, then the session ends: everything is erased.
	gb.send(seenMsg(testEmbedding(2, 0.02, 7)))
	teacher.waitFor("Joon at B", func(m msg) bool { return m.str("type") == TypeClass && gatesOf(journeyOf(t, m, "Joon")) == "B" })
	waitStats(t, ts.srv, "one sighting", func(s Stats) bool { return s.Sightings == 1 && s.Gates == 2 })
	teacher.send(`{"v":1,"type":"end"}`)
	for _, c := range []*client{teacher, mina, joon, ga, gb} {
		seen := c.waitClosed()
		if len(seen) == 0 || seen[len(seen)-1].str("reason") != EndedByTeacher {
			t.Errorf("at the end a member saw %v", seen)
		}
	}
	waitStats(t, ts.srv, "all erased", func(s Stats) bool { return s == Stats{} })
}

// drainCheck checks every message c has been sent so far: it sends a
// message whose answer is known (a refused one) and reads up to that
// answer. (A read that times out would break the connection.)
func drainCheck(t *testing.T, c *client, check func(msg, []byte)) {
	t.Helper()
	c.send(`{"v":1,"type":"lock","locked":true}`)
	deadline := time.Now().Add(5 * time.Second)
	for {
		m, raw, err := c.read(time.Until(deadline))
		if err != nil {
			t.Fatalf("draining: %v", err)
		}
		if m.str("type") == TypeError && m.str("about") == TypeLock {
			return
		}
		check(m, raw)
	}
}

// checkGateMessage fails unless m is something a gate may receive: its
// own state with exactly these fields, a welcome or an error. No
// distance, no nickname, no journey.
func checkGateMessage(t *testing.T, m msg, raw []byte) {
	t.Helper()
	switch m.str("type") {
	case TypeGateState:
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, []string{"gate", "id", "on", "scene", "sent", "type", "v"}) {
			t.Errorf("gate state with fields %v: %s", keys, raw)
		}
	case TypeWelcome, TypeError, TypeEnded:
	default:
		t.Errorf("a gate received %s", raw)
	}
	for _, bad := range []string{`"d"`, "journey", "Mina", "Joon", "nick", "matrix", "distance"} {
		if strings.Contains(string(raw), bad) {
			t.Errorf("a gate received %s", raw)
		}
	}
}

// A gate cannot learn distances: what it receives for a face that matched
// and for one that matched no one is byte for byte the same but for its
// count, and the room's caps apply to sightings: a sighting's distance uses
// one of the student's MaxCompared comparisons, and a student whose
// comparisons are used up is not compared with gates at all.
func TestGateLearnsNothingAndSightingsUseTheBudget(t *testing.T) {
	clock := newFakeClock()
	ts := startServer(t, Config{Now: clock.Now, MaxCompared: 2, GateBurst: 10})
	teacher, tw := ts.teacher()
	code := tw.str("code")
	mina, _ := ts.student(code, "Mina")
	joon, _ := ts.student(code, "Joon")
	em := testEmbedding(1, 0.02, 1)
	mina.send(shareMsg(em))
	mina.waitFor("shared", func(m msg) bool { return m.str("type") == TypeState && m.obj("you").flag("shared") })
	joon.send(shareMsg(testEmbedding(2, 0.02, 1))) // one of Mina's two comparisons
	joon.waitFor("shared", func(m msg) bool { return m.str("type") == TypeState && m.obj("you").flag("shared") })
	g, gw := ts.gate(code)
	gateReady(t, teacher, g, gw.str("id"), "A")
	g2, g2w := ts.gate(code)
	gateReady(t, teacher, g2, g2w.str("id"), "C")

	var answers []string
	for i, e := range []match.Embedding{testEmbedding(1, 0.02, 2), testEmbedding(8, 0.02, 2)} {
		g.send(seenMsg(e))
		m := g.waitFor("taken", func(m msg) bool { return m.str("type") == TypeGateState && m.num("sent") == float64(i+1) })
		delete(m, "sent")
		b, _ := json.Marshal(m)
		answers = append(answers, string(b))
	}
	if answers[0] != answers[1] {
		t.Errorf("a gate can tell a match from a stranger: %s vs %s", answers[0], answers[1])
	}
	drainCheck(t, g, func(m msg, raw []byte) { checkGateMessage(t, m, raw) })
	teacher.waitFor("Mina at A", func(m msg) bool { return m.str("type") == TypeClass && gatesOf(journeyOf(t, m, "Mina")) == "A" })

	// Mina's budget (2) is now used: Joon's share and the sighting at A.
	// At gate C she is not compared, so not sighted.
	g2.send(seenMsg(testEmbedding(1, 0.02, 3)))
	g2.waitFor("taken", func(m msg) bool { return m.str("type") == TypeGateState && m.num("sent") == 1 })
	if v := inspect(t, ts.srv, code); v.Sightings != 1 {
		t.Errorf("sighted beyond the comparison budget: %+v", v)
	}
	// And a new classmate's share is not compared with her either.
	ada, _ := ts.student(code, "Ada")
	ada.send(shareMsg(testEmbedding(3, 0.02, 1)))
	cl := teacher.waitFor("matrix of 3", func(m msg) bool { return len(m.obj("matrix").list("ids")) == 3 })
	_, d := classMatrix(t, cl)
	if d[[2]string{"s1", "s3"}] != -1 {
		t.Errorf("Mina compared with a third vector after a sighting used her budget: %v", d)
	}
}

// Gate devices count against the room's joins and its cap on gates, are
// refused in a locked room like students, and may leave.
func TestGateJoinsCappedAndLeave(t *testing.T) {
	ts := startServer(t, Config{MaxJoins: 3, MaxGates: 2})
	teacher, tw := ts.teacher()
	code := tw.str("code")
	ts.student(code, "Mina")
	g1, _ := ts.gate(code)
	ts.gate(code)
	c := ts.dial()
	c.send(msg{"v": 1, "type": "gate", "code": code})
	if e := c.waitType(TypeError); e.str("code") != ErrCodeRoomFull {
		t.Fatalf("a gate over the caps: %v", e)
	}
	g1.send(`{"v":1,"type":"leave"}`)
	seen := g1.waitClosed()
	if len(seen) == 0 || seen[len(seen)-1].str("reason") != EndedLeft {
		t.Errorf("leaving gate saw %v", seen)
	}
	teacher.waitFor("one gate left", func(m msg) bool { return m.str("type") == TypeClass && len(m.list("gates")) == 1 })
	// The gate's place is free, but the room's joins are used up.
	c = ts.dial()
	c.send(msg{"v": 1, "type": "gate", "code": code})
	if e := c.waitType(TypeError); e.str("code") != ErrCodeRoomFull {
		t.Fatalf("a gate after the room's joins are used: %v", e)
	}
	// A locked room takes no gate, with the answer a wrong code gets.
	ts2 := startServer(t, Config{})
	t2, w2 := ts2.teacher()
	t2.send(`{"v":1,"type":"lock","locked":true}`)
	t2.waitFor("locked", func(m msg) bool { return m.str("type") == TypeClass && m.flag("locked") })
	c = ts2.dial()
	c.send(msg{"v": 1, "type": "gate", "code": w2.str("code")})
	if e := c.waitType(TypeError); e.str("code") != ErrCodeJoinFailed {
		t.Fatalf("a gate in a locked room: %v", e)
	}
}

// A gate device that reconnects with its token is the same gate: its place
// and its operator's choice are kept.
func TestGateResume(t *testing.T) {
	ts := startServer(t, Config{})
	teacher, tw := ts.teacher()
	g, gw := ts.gate(tw.str("code"))
	gateReady(t, teacher, g, gw.str("id"), "C")
	g.ws.Close()
	teacher.waitFor("gate away", func(m msg) bool {
		gs := m.list("gates")
		return m.str("type") == TypeClass && len(gs) == 1 && msg(gs[0].(map[string]any)).flag("away")
	})
	g2 := ts.dial()
	g2.send(msg{"v": 1, "type": "resume", "token": gw.str("token")})
	if w := g2.waitType(TypeWelcome); w.str("role") != "gate" || w.str("id") != gw.str("id") {
		t.Fatalf("resumed gate welcome %v", w)
	}
	st := g2.waitType(TypeGateState)
	if st.str("gate") != "C" || !st.flag("on") {
		t.Errorf("resumed gate state %v", st)
	}
}

// /gate redirects to the gate page like /teach and /join, query kept.
func TestGateRedirect(t *testing.T) {
	ts := startServer(t, Config{})
	c := ts.hs.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Get(ts.hs.URL + "/gate?lang=ko")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != PathGate+"?lang=ko" {
		t.Errorf("/gate: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}
