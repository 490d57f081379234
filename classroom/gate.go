package classroom

import (
	"crypto/subtle"
	"slices"
	"strconv"
	"time"

	"github.com/facewatch/facewatch/facelib/match"
)

// Gate cameras. A device joins with the room's code as a gate; the teacher
// makes it gate A, B or C; its operator opts in; then it sends the numbers
// of each face it sees (never a picture). Each face's numbers are compared
// with the numbers the students chose to share and with nothing else. A
// face that matches no one is zeroed and forgotten in the same step: it is
// never stored or forwarded. A match becomes a sighting in that student's
// journey: the gate, the time and the distance binned down to Config.Bin.
// The gate itself never learns anything back: its own state (which gate it
// is, whether it watches, how many faces were taken) is the same whether a
// face matched or not.

// joinGate adds c as a gate device. Gates count against the room's joins.
func (r *room) joinGate(c *conn, now time.Time) []byte {
	if r.locked {
		return joinFailed
	}
	if len(r.gates) >= r.srv.cfg.MaxGates || r.joins >= r.srv.cfg.MaxJoins {
		return encodeError(ErrCodeRoomFull, TypeGate, "this class has as many gates as it can take")
	}
	token, err := r.srv.newToken(r.code)
	if err != nil {
		return encodeError(ErrCodeServerFull, TypeGate, "the server cannot take a gate now")
	}
	r.nextGate++
	g := &gate{num: r.nextGate, id: "g" + strconv.FormatUint(uint64(r.nextGate), 10), token: token, conn: c}
	g.bucket.fill(now, float64(r.srv.cfg.GateBurst))
	r.joins++
	r.gates = append(r.gates, g)
	r.byGate[c] = g
	r.nGates.Store(int32(len(r.gates)))
	r.lastActive = now
	r.welcomeGate(g)
	r.pushGate(g)
	r.pushClass("")
	return nil
}

func (r *room) welcomeGate(g *gate) {
	g.conn.enqueue(mustJSON(welcomeMsg{V: ProtocolVersion, Type: TypeWelcome, Role: "gate", Code: r.code,
		Display: FormatCode(r.code), Token: g.token, ID: g.id, Gates: Gates}))
}

// resumeGate lets a gate device back in with its token; joinFailed if the
// token is no gate's either.
func (r *room) resumeGate(c *conn, token string) []byte {
	var found *gate
	for _, g := range r.gates {
		if subtle.ConstantTimeCompare([]byte(token), []byte(g.token)) == 1 {
			found = g
		}
	}
	if found == nil {
		return joinFailed
	}
	if old := found.conn; old != nil && old != c {
		delete(r.byGate, old)
		old.finish(encodeEnded(EndedReplaced))
	}
	found.conn = c
	found.awayUntil = time.Time{}
	r.byGate[c] = found
	r.lastActive = r.srv.now()
	r.welcomeGate(found)
	r.pushGate(found)
	r.pushClass("")
	return nil
}

func (r *room) findGate(id string) *gate {
	for _, g := range r.gates {
		if g.id == id {
			return g
		}
	}
	return nil
}

// removeGate forgets a gate device; if connected, it is told why and closed.
func (r *room) removeGate(g *gate, reason string) {
	if g.conn != nil {
		delete(r.byGate, g.conn)
		dismiss(g.conn, reason)
		g.conn = nil
	}
	r.gates = slices.DeleteFunc(r.gates, func(o *gate) bool { return o == g })
	g.token = ""
	r.nGates.Store(int32(len(r.gates)))
}

func (r *room) gateMessage(g *gate, m Message, now time.Time) {
	switch m.Type {
	case TypeWatch:
		g.on = m.On
		r.pushGate(g)
		r.pushClass("")
	case TypeSeen:
		// Whatever happens, the face's numbers are gone when this returns.
		defer func() { *m.Embedding = match.Embedding{} }()
		cfg := &r.srv.cfg
		if g.letter == "" || !g.on {
			r.sendError(g.conn, ErrCodeNotWatching, m.Type, "this gate is not watching: the teacher chooses the gate and its operator opts in first")
			return
		}
		if !g.bucket.allow(now, cfg.GateRate, float64(cfg.GateBurst)) {
			r.sendError(g.conn, ErrCodeRateLimited, m.Type, "this gate sends faces faster than a gate may; this one was not taken")
			return
		}
		if r.gateSeen >= cfg.MaxGateSeen {
			r.sendError(g.conn, ErrCodeGateLimit, m.Type, "the class has taken as many faces from gates as it allows")
			return
		}
		r.gateSeen++
		g.sent++
		if st := r.sight(g, m.Embedding, now); st != nil {
			r.pushState(st)
			r.pushClass("")
		}
		// The same answer, matched or not: the gate learns nothing back.
		r.pushGate(g)
	case TypeLeave:
		r.removeGate(g, EndedLeft)
		r.pushClass("")
	default:
		r.sendError(g.conn, ErrCodeForbidden, m.Type, "a gate cannot send this")
	}
}

// sight compares a gate's face with every share and returns the student it
// was sighted as, or nil. Only the nearest share under Threshold matches,
// and only a student whose comparison budget (Config.MaxCompared, shared
// with classmates' shares) is not used up is compared at all. A student
// seen again at the same gate within Config.SightingGap keeps the one
// sighting, and no new distance reaches the teacher.
func (r *room) sight(g *gate, e *match.Embedding, now time.Time) *student {
	cfg := &r.srv.cfg
	var best *student
	var bestD float32
	for _, st := range r.students {
		if st.emb == nil || st.budgetUsed() >= cfg.MaxCompared {
			continue
		}
		if d := distance(st.emb, e); d < Threshold && (best == nil || d < bestD) {
			best, bestD = st, d
		}
	}
	if best == nil {
		return nil
	}
	if n := len(best.journey); n > 0 {
		last := &best.journey[n-1]
		if last.gate == g.letter && now.Sub(last.at) < cfg.SightingGap {
			return nil
		}
	}
	r.nextSight++
	best.gateDists++
	best.journey = append(best.journey, sighting{
		id: "x" + strconv.FormatUint(uint64(r.nextSight), 10), gate: g.letter, at: now, d: binDown(bestD, cfg.Bin),
	})
	r.nSightings.Add(1)
	return best
}

// pushGate sends a gate its state: which gate it is, whether it watches,
// the scene and how many of its faces were taken. Nothing about whether
// any face matched anyone.
func (r *room) pushGate(g *gate) {
	if g.conn == nil {
		return
	}
	g.conn.setSnapshot(r.appendGateState(make([]byte, 0, 128), g))
}
