package classroom

import (
	"crypto/subtle"
	"encoding/json"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/facewatch/facewatch/facelib/match"
)

type evKind uint8

const (
	evJoin   evKind = iota // a student asks to join (reply)
	evResume               // a member comes back with a token (reply)
	evMsg                  // a message from a member
	evGone                 // a member's connection closed
	evTick                 // check timeouts at now
	evDo                   // run a function on the room's goroutine
	evGate                 // a device asks to join as a gate camera (reply)
)

type event struct {
	kind  evKind
	c     *conn
	msg   Message
	reply chan []byte // join/resume: nil on success, else the refusal
	now   time.Time
	do    func(*room) // evDo: runs with the room's state, on its goroutine
}

type student struct {
	num       uint32
	id        string
	nick      string
	nickJSON  []byte
	nickKey   string // NickSkeleton(nick)
	token     string
	conn      *conn
	awayUntil time.Time
	emb       *match.Embedding // nil unless shared
	rev       int
	shares    int                // shares accepted, retakes included (at most Config.MaxShares)
	compared  map[[2]uint32]bool // the other students' shares (num, rev) compared with this student's numbers
	gateDists int                // gate sightings whose distance reached the teacher: they count against Config.MaxCompared too
	journey   []sighting         // where gates saw this student, oldest first; erased with the numbers
}

// sighting is a gate's face matched to a student who shares. Only the
// binned distance is kept; the face's numbers are gone by then.
type sighting struct {
	id    string // "x" + a number, unique in the room
	gate  string
	at    time.Time
	d     float64 // binned down to Config.Bin
	notMe bool    // the student said it was not them
}

// gate is a gate camera: a device that joined with the room's code and
// that the teacher makes gate A, B or C.
type gate struct {
	num       uint32
	id        string
	token     string
	conn      *conn
	awayUntil time.Time
	letter    string // "" until the teacher chooses
	on        bool   // its operator opted in to sending faces
	sent      int    // faces it sent that were taken
	bucket    bucket // Config.GateRate
}

// withheld marks a pair whose distance is not computed because one side's
// numbers have been compared with Config.MaxCompared shares already.
const withheld = -1

type pair struct{ a, b uint32 } // a < b

// room is one class. Everything below the channels is owned by the run
// goroutine; other goroutines talk to it only through events.
type room struct {
	srv    *Server
	code   string
	owner  string // the creator's address key, for Config.MaxRoomsPerAddr
	events chan event
	done   chan struct{}

	nStudents  atomic.Int32 // mirrors for Stats
	nShared    atomic.Int32
	nGates     atomic.Int32
	nSightings atomic.Int32

	teacherToken string
	teacher      *conn
	teacherLeft  time.Time
	students     []*student // join order
	byConn       map[*conn]*student
	dist         map[pair]float32
	scene        string
	locked       bool
	created      time.Time
	lastActive   time.Time
	nextNum      uint32
	joins        int // joins accepted over the room's life
	over         bool

	gates     []*gate
	byGate    map[*conn]*gate
	nextGate  uint32
	nextSight uint32
	gateSeen  int // faces taken from gates over the room's life (Config.MaxGateSeen)

	buf []byte // snapshot scratch
}

func newRoom(s *Server, code, teacherToken string, teacher *conn) *room {
	now := s.now()
	return &room{
		srv:          s,
		code:         code,
		owner:        teacher.key,
		events:       make(chan event, 256),
		done:         make(chan struct{}),
		teacherToken: teacherToken,
		teacher:      teacher,
		byConn:       make(map[*conn]*student),
		byGate:       make(map[*conn]*gate),
		dist:         make(map[pair]float32),
		scene:        SceneLobby,
		created:      now,
		lastActive:   now,
	}
}

// post delivers an event unless the room has ended. Ticks are dropped when
// the room is busy; they come again.
func (r *room) post(ev event) {
	if ev.kind == evTick {
		select {
		case r.events <- ev:
		default:
		}
		return
	}
	select {
	case r.events <- ev:
	case <-r.done:
	}
}

func (r *room) run() {
	defer r.srv.roomWG.Done()
	defer close(r.done)
	defer r.srv.unregister(r)
	defer r.erase()
	r.welcomeTeacher(r.teacher)
	r.pushClass("")
	for !r.over {
		select {
		case ev := <-r.events:
			r.handle(ev)
		case <-r.srv.quit:
			r.end(EndedShutdown)
		}
	}
}

func (r *room) handle(ev event) {
	now := r.srv.now()
	switch ev.kind {
	case evJoin:
		ev.reply <- r.join(ev.c, ev.msg.Nick, ev.msg.NickKey, now)
	case evGate:
		ev.reply <- r.joinGate(ev.c, now)
	case evResume:
		ev.reply <- r.resume(ev.c, ev.msg.Token)
	case evGone:
		r.gone(ev.c, now)
	case evMsg:
		r.message(ev.c, ev.msg, now)
	case evTick:
		r.tick(ev.now)
	case evDo:
		ev.do(r)
	}
}

func (r *room) join(c *conn, nick, nickKey string, now time.Time) []byte {
	if r.locked {
		return joinFailed
	}
	if len(r.students) >= r.srv.cfg.MaxStudents || r.joins >= r.srv.cfg.MaxJoins {
		return encodeError(ErrCodeRoomFull, TypeJoin, "this class is full")
	}
	if nickKey == "" {
		nickKey = NickSkeleton(nick)
	}
	for _, st := range r.students {
		if st.nickKey == nickKey {
			return encodeError(ErrCodeNickTaken, TypeJoin, "someone in this class already uses that nickname, or one that looks the same")
		}
	}
	token, err := r.srv.newToken(r.code)
	if err != nil {
		return encodeError(ErrCodeServerFull, TypeJoin, "the server cannot take a student now")
	}
	r.nextNum++
	nj, _ := json.Marshal(nick)
	st := &student{num: r.nextNum, id: "s" + strconv.FormatUint(uint64(r.nextNum), 10), nick: nick, nickJSON: nj, nickKey: nickKey, token: token, conn: c}
	r.joins++
	r.students = append(r.students, st)
	r.byConn[c] = st
	r.nStudents.Store(int32(len(r.students)))
	r.lastActive = now
	c.enqueue(mustJSON(welcomeMsg{V: ProtocolVersion, Type: TypeWelcome, Role: "student", Code: r.code,
		Display: FormatCode(r.code), Token: token, ID: st.id, Nick: nick}))
	r.pushAllStates()
	r.pushClass("")
	return nil
}

func (r *room) resume(c *conn, token string) []byte {
	if subtle.ConstantTimeCompare([]byte(token), []byte(r.teacherToken)) == 1 {
		if r.teacher != nil && r.teacher != c {
			r.teacher.finish(encodeEnded(EndedReplaced))
		}
		r.teacher = c
		r.lastActive = r.srv.now()
		r.welcomeTeacher(c)
		r.pushClass("")
		return nil
	}
	var found *student
	for _, st := range r.students {
		if subtle.ConstantTimeCompare([]byte(token), []byte(st.token)) == 1 {
			found = st
		}
	}
	if found == nil {
		return r.resumeGate(c, token)
	}
	if old := found.conn; old != nil && old != c {
		delete(r.byConn, old)
		old.finish(encodeEnded(EndedReplaced))
	}
	found.conn = c
	found.awayUntil = time.Time{}
	r.byConn[c] = found
	r.lastActive = r.srv.now()
	c.enqueue(mustJSON(welcomeMsg{V: ProtocolVersion, Type: TypeWelcome, Role: "student", Code: r.code,
		Display: FormatCode(r.code), Token: found.token, ID: found.id, Nick: found.nick}))
	r.pushState(found)
	r.pushClass("")
	return nil
}

func (r *room) welcomeTeacher(c *conn) {
	if c == nil {
		return
	}
	join := JoinURL(c.base, r.code)
	c.enqueue(mustJSON(welcomeMsg{
		V: ProtocolVersion, Type: TypeWelcome, Role: "teacher", Code: r.code, Display: FormatCode(r.code),
		Token: r.teacherToken, JoinURL: join, Cert: r.srv.cfg.Fingerprint, QR: qrDataURL(join), Scenes: Scenes, Gates: Gates,
		Limits: &limits{Threshold: Threshold, Bin: r.srv.cfg.Bin, MaxShares: r.srv.cfg.MaxShares, MaxStudents: r.srv.cfg.MaxStudents, ResumeSecs: int(r.srv.cfg.ResumeWindow / time.Second), EmbeddingDim: EmbeddingDim,
			GatePerMin: r.srv.cfg.GateRate * 60, GateBurst: r.srv.cfg.GateBurst, MaxGateSeen: r.srv.cfg.MaxGateSeen},
	}))
}

// gone marks a closed connection: the teacher's room waits TeacherGrace
// for them, a student stays (with any shared embedding) for ResumeWindow.
func (r *room) gone(c *conn, now time.Time) {
	if c == r.teacher {
		r.teacher = nil
		r.teacherLeft = now
		return
	}
	if g, ok := r.byGate[c]; ok {
		delete(r.byGate, c)
		g.conn = nil
		g.awayUntil = now.Add(r.srv.cfg.ResumeWindow)
		r.pushClass("")
		return
	}
	st, ok := r.byConn[c]
	if !ok {
		return
	}
	delete(r.byConn, c)
	st.conn = nil
	st.awayUntil = now.Add(r.srv.cfg.ResumeWindow)
	r.pushClass("")
}

func (r *room) message(c *conn, m Message, now time.Time) {
	if c == r.teacher {
		r.lastActive = now
		r.teacherMessage(c, m)
		return
	}
	if g, ok := r.byGate[c]; ok {
		r.lastActive = now
		r.gateMessage(g, m, now)
		return
	}
	st, ok := r.byConn[c]
	if !ok {
		return // a replaced or removed connection
	}
	r.lastActive = now
	switch m.Type {
	case TypeNotMe:
		for i := range st.journey {
			if sg := &st.journey[i]; sg.id == m.Sighting {
				sg.notMe = true
				r.pushState(st)
				r.pushClass("")
				return
			}
		}
		r.sendError(c, ErrCodeNoSighting, m.Type, "no such sighting")
	case TypeShare:
		if st.shares >= r.srv.cfg.MaxShares {
			r.sendError(c, ErrCodeShareLimit, m.Type, "you have shared as often as a class allows; your last numbers stay until you take them back")
			return
		}
		st.shares++
		first := st.emb == nil
		if first {
			st.emb = new(match.Embedding)
		}
		*st.emb = *m.Embedding
		st.rev++
		for _, o := range r.students {
			if o != st && o.emb != nil {
				r.dist[key(st.num, o.num)] = r.compare(st, o)
			}
		}
		if first {
			r.nShared.Add(1)
			r.pushAllStates()
		} else {
			r.pushState(st)
		}
		r.pushClass(st.id)
	case TypeWithdraw:
		if st.emb != nil {
			r.eraseEmbedding(st)
			r.pushAllStates()
			r.pushClass("")
		} else {
			r.pushState(st)
		}
	case TypeLeave:
		r.removeStudent(st, EndedLeft)
		r.pushAllStates()
		r.pushClass("")
	default:
		r.sendError(c, ErrCodeForbidden, m.Type, "students cannot send this")
	}
}

func (r *room) teacherMessage(c *conn, m Message) {
	switch m.Type {
	case TypeLock:
		r.locked = m.Locked
	case TypeScene:
		r.scene = m.Scene
	case TypeAssign:
		g := r.findGate(m.ID)
		if g == nil {
			r.sendError(c, ErrCodeNoGate, m.Type, "no such gate device")
			return
		}
		g.letter = m.Gate
		r.pushGate(g)
		r.pushClass("")
		return
	case TypeRemove:
		if g := r.findGate(m.ID); g != nil {
			r.removeGate(g, EndedRemoved)
			r.pushClass("")
			return
		}
		var found *student
		for _, st := range r.students {
			if st.id == m.ID {
				found = st
			}
		}
		if found == nil {
			r.sendError(c, ErrCodeNoStudent, m.Type, "no such student")
			return
		}
		r.removeStudent(found, EndedRemoved)
	case TypeEnd:
		r.end(EndedByTeacher)
		return
	default:
		r.sendError(c, ErrCodeForbidden, m.Type, "the teacher cannot send this")
		return
	}
	r.pushAllStates()
	if m.Type == TypeScene || m.Type == TypeRemove {
		for _, g := range r.gates {
			r.pushGate(g)
		}
	}
	r.pushClass("")
}

func (r *room) tick(now time.Time) {
	cfg := &r.srv.cfg
	if now.Sub(r.lastActive) >= cfg.IdleTimeout ||
		now.Sub(r.created) >= cfg.MaxRoomAge ||
		(r.teacher == nil && now.Sub(r.teacherLeft) >= cfg.TeacherGrace) {
		r.end(EndedIdle)
		return
	}
	changed := false
	for i := 0; i < len(r.students); i++ {
		st := r.students[i]
		if st.conn == nil && !now.Before(st.awayUntil) {
			r.removeStudent(st, "")
			i--
			changed = true
		}
	}
	for i := 0; i < len(r.gates); i++ {
		if g := r.gates[i]; g.conn == nil && !now.Before(g.awayUntil) {
			r.removeGate(g, "")
			i--
			changed = true
		}
	}
	if changed {
		r.pushAllStates()
		r.pushClass("")
	}
}

func (r *room) sendError(c *conn, code, about, msg string) {
	r.send(c, encodeError(code, about, msg))
}

// send queues an event for c; a client whose queue is full is too slow and
// is disconnected (a student may resume).
func (r *room) send(c *conn, b []byte) {
	if !c.enqueue(b) {
		c.finish(encodeEnded(EndedTooSlow))
	}
}

// compare returns the distance between the numbers of st, which has just
// shared (again), and o, or withheld when either side has been compared
// with Config.MaxCompared shares already: however many helpers a room's
// creator brings and however often they share, no student's numbers are
// measured against more than that many vectors (docs/classroom.md).
func (r *room) compare(st, o *student) float32 {
	limit := r.srv.cfg.MaxCompared
	stKey, oKey := [2]uint32{o.num, uint32(o.rev)}, [2]uint32{st.num, uint32(st.rev)}
	// For o, st's new numbers are a new vector; for st, o's numbers are
	// new only if st has not been compared with this share of o's yet.
	if o.budgetUsed() >= limit || (!st.compared[stKey] && st.budgetUsed() >= limit) {
		return withheld
	}
	if st.compared == nil {
		st.compared = make(map[[2]uint32]bool)
	}
	if o.compared == nil {
		o.compared = make(map[[2]uint32]bool)
	}
	st.compared[stKey] = true
	o.compared[oKey] = true
	return distance(st.emb, o.emb)
}

// budgetUsed is how many vectors this student's numbers have been measured
// against for the teacher's screen: other students' shares and gate
// sightings together, at most Config.MaxCompared.
func (st *student) budgetUsed() int { return len(st.compared) + st.gateDists }

func key(a, b uint32) pair {
	if a > b {
		a, b = b, a
	}
	return pair{a, b}
}

// eraseEmbedding overwrites and forgets a student's embedding and every
// distance computed from it.
func (r *room) eraseEmbedding(st *student) {
	if st.emb == nil {
		return
	}
	*st.emb = match.Embedding{}
	st.emb = nil
	r.nSightings.Add(-int32(len(st.journey)))
	clear(st.journey)
	st.journey = nil
	for _, o := range r.students {
		delete(r.dist, key(st.num, o.num))
	}
	r.nShared.Add(-1)
}

// dismiss tells c why it is closed (nothing for an empty reason) and closes
// it: a removed student or gate device.
func dismiss(c *conn, reason string) {
	var msg []byte
	if reason != "" {
		msg = encodeEnded(reason)
	}
	c.finish(msg)
}

// removeStudent erases a student entirely; if connected, the connection
// is told why (reason) and closed.
func (r *room) removeStudent(st *student, reason string) {
	r.eraseEmbedding(st)
	if st.conn != nil {
		delete(r.byConn, st.conn)
		dismiss(st.conn, reason)
		st.conn = nil
	}
	r.students = slices.DeleteFunc(r.students, func(o *student) bool { return o == st })
	st.token, st.nick, st.nickJSON, st.nickKey = "", "", nil, ""
	clear(st.compared)
	st.gateDists = 0
	r.nStudents.Store(int32(len(r.students)))
}

// end tells every member why the room is over and stops the run loop,
// which then erases everything.
func (r *room) end(reason string) {
	msg := encodeEnded(reason)
	if r.teacher != nil {
		r.teacher.finish(msg)
		r.teacher = nil
	}
	for _, st := range r.students {
		if st.conn != nil {
			st.conn.finish(msg)
		}
	}
	for _, g := range r.gates {
		if g.conn != nil {
			g.conn.finish(msg)
		}
	}
	r.over = true
}

// erase forgets everything the room holds; embeddings are zeroed first.
func (r *room) erase() {
	for len(r.students) > 0 {
		r.removeStudent(r.students[0], EndedIdle)
	}
	for len(r.gates) > 0 {
		r.removeGate(r.gates[0], EndedIdle)
	}
	clear(r.dist)
	clear(r.byConn)
	clear(r.byGate)
	r.nSightings.Store(0)
	r.teacherToken = ""
	r.buf = nil
	r.nStudents.Store(0)
	r.nShared.Store(0)
}

func (r *room) counts() (students, sharing int) {
	for _, st := range r.students {
		if st.emb != nil {
			sharing++
		}
	}
	return len(r.students), sharing
}

// pushAllStates sends every connected student their state.
func (r *room) pushAllStates() {
	for _, st := range r.students {
		r.pushState(st)
	}
}

// pushState sends a student what students see: the scene, whether the
// room is locked, how many are in it and how many share, and their own
// status. Never another student's nickname, embedding or distance.
func (r *room) pushState(st *student) {
	if st.conn == nil {
		return
	}
	st.conn.setSnapshot(r.appendState(make([]byte, 0, 160+len(st.nickJSON)), st))
}

// pushClass sends the teacher the roster and the distances between the
// students who share (upper triangle, row by row, in the order of
// matrix.ids). changed names the student whose embedding just changed.
// The teacher never receives an embedding, only distances.
func (r *room) pushClass(changed string) {
	if r.teacher == nil {
		return
	}
	b := r.appendClass(r.buf[:0], changed)
	r.buf = b
	// The conn keeps the bytes until written: give it its own copy.
	out := make([]byte, len(b))
	copy(out, b)
	r.teacher.setSnapshot(out)
}
