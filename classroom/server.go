package classroom

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Paths the handler answers.
const (
	PathWS    = "/classroom/ws"         // the websocket endpoint
	PathTeach = "/classroom/teach.html" // the teacher's page (a static file)
	PathJoin  = "/classroom/join.html"  // the students' page (a static file)
	PathGate  = "/classroom/gate.html"  // a gate camera's page (a static file)
)

// Config sets the server's limits, clock and randomness. The zero value
// of each field means its default.
type Config struct {
	// PublicURL is the base of the join URL put in the QR code, e.g.
	// "https://facewatch.example". Empty: the teacher page's own origin.
	PublicURL string
	// Fingerprint is the SHA-256 fingerprint of the server's TLS
	// certificate, shown on the teacher's page beside the join link so the
	// teacher can tell students which certificate their browser's warning
	// is about. Empty: none is shown.
	Fingerprint string
	// TrustedProxies lists the peers (addresses or networks) whose
	// X-Forwarded-For header is believed: for a request from one of them,
	// the last address in that header is the client. Empty (the default):
	// the header is ignored and every client is its own peer address.
	TrustedProxies []netip.Prefix
	// Origins lists extra origins ("scheme://host[:port]") allowed to open
	// the websocket, besides the same host as the request.
	Origins []string
	// Fallback serves requests under /classroom/ that are not the
	// websocket (the static pages), when the handler is mounted on the
	// whole /classroom/ tree. Nil: 404.
	Fallback http.Handler

	MaxRooms    int // rooms at once (default 200)
	MaxStudents int // students per room (default 60)
	MaxConns    int // websocket connections at once (default 6000)

	MaxPendingPerAddr int // connections from one address that have not said hello yet (default 64)
	MaxRoomsPerAddr   int // open rooms created from one address (default 4)

	// What the teacher's class view may reveal about one student: see
	// docs/classroom.md, "Threat model".
	MaxShares   int     // shares per student: the first and one retake (default 2)
	MaxJoins    int     // joins over a room's life, rejoins included (default MaxStudents + MaxStudents/2)
	MaxCompared int     // other students' shares one student's numbers are ever compared with (default 40)
	Bin         float64 // distances reach the teacher rounded down to a multiple of this (default DistanceBin)

	// Gate cameras (docs/classroom.md, "Gates"). A gate's faces are
	// compared with the shares only; a sighting's distance counts against
	// the student's MaxCompared like a classmate's share.
	MaxGates    int           // gate devices per room (default 6); their joins count against MaxJoins
	MaxGateSeen int           // faces all of a room's gates may send over its life (default 600)
	GateRate    float64       // faces per second one gate may send (default 1/3: 20 a minute)
	GateBurst   int           // burst of faces per gate (default 3)
	SightingGap time.Duration // a student seen again at the same gate within this is one sighting (default 60 s)

	IdleTimeout  time.Duration // a room where nobody sends anything for this long is erased (default 60 min)
	TeacherGrace time.Duration // a room whose teacher stays away this long is erased (default 10 min)
	ResumeWindow time.Duration // a disconnected student may resume this long (default 1 min)
	MaxRoomAge   time.Duration // no room lives longer (default 8 h)

	HelloTimeout time.Duration // time to send create/join/resume after connecting (default 15 s)
	WriteWait    time.Duration // deadline for one write to a client (default 10 s)
	PongWait     time.Duration // a client silent for this long, pongs included, is dropped (default 60 s)
	ReadLimit    int64         // bytes per message (default MaxMessageBytes)
	SendQueue    int           // queued events per client before it counts as too slow (default 64)

	MsgRate   float64 // messages per second per connection (default 10)
	MsgBurst  int     // message burst per connection (default 40)
	JoinRate  float64 // join/resume/create attempts per second per address (default 0.5, 30 a minute)
	JoinBurst int     // attempt burst per address (default 80: a class behind one school NAT joins, and resumes after a blip, at once)
	MaxIPs    int     // addresses the join limiter tracks (default 100000)

	SweepInterval time.Duration // how often timeouts are checked (default 1 s)

	// Now is the clock for timeouts and rate limits (default time.Now).
	// Network deadlines always use the real clock.
	Now func() time.Time
	// Rand is the source for join codes and resume tokens (default
	// crypto/rand.Reader). It must be unpredictable in production.
	Rand io.Reader
}

// ErrConfig is returned by New for a configuration it cannot use.
var ErrConfig = errors.New("classroom: bad configuration")

var errTooManyRooms = errors.New("too many rooms from this address")

// ErrClosed is returned by Shutdown when called twice.
var ErrClosed = errors.New("classroom: server already shut down")

func (c *Config) setDefaults() error {
	defInt := func(p *int, d int) error {
		if *p < 0 {
			return fmt.Errorf("%w: negative limit %d", ErrConfig, *p)
		}
		if *p == 0 {
			*p = d
		}
		return nil
	}
	defDur := func(p *time.Duration, d time.Duration) error {
		if *p < 0 {
			return fmt.Errorf("%w: negative duration %v", ErrConfig, *p)
		}
		if *p == 0 {
			*p = d
		}
		return nil
	}
	defRate := func(p *float64, d float64) error {
		if *p < 0 || *p != *p {
			return fmt.Errorf("%w: bad rate %v", ErrConfig, *p)
		}
		if *p == 0 {
			*p = d
		}
		return nil
	}
	for _, err := range []error{
		defInt(&c.MaxRooms, 200), defInt(&c.MaxStudents, 60), defInt(&c.MaxConns, 6000),
		defInt(&c.MaxPendingPerAddr, 64), defInt(&c.MaxRoomsPerAddr, 4), defInt(&c.MaxShares, 2),
		defInt(&c.MaxJoins, c.MaxStudents+c.MaxStudents/2), defInt(&c.MaxCompared, 40),
		defRate(&c.Bin, DistanceBin),
		defInt(&c.MaxGates, 6), defInt(&c.MaxGateSeen, 600), defRate(&c.GateRate, 1.0/3), defInt(&c.GateBurst, 3),
		defDur(&c.SightingGap, time.Minute),
		defDur(&c.IdleTimeout, 60*time.Minute), defDur(&c.TeacherGrace, 10*time.Minute),
		defDur(&c.ResumeWindow, time.Minute), defDur(&c.MaxRoomAge, 8*time.Hour),
		defDur(&c.HelloTimeout, 15*time.Second), defDur(&c.WriteWait, 10*time.Second),
		defDur(&c.PongWait, 60*time.Second), defInt(&c.SendQueue, 64),
		defRate(&c.MsgRate, 10), defInt(&c.MsgBurst, 40),
		defRate(&c.JoinRate, 0.5), defInt(&c.JoinBurst, 80), defInt(&c.MaxIPs, 100000),
		defDur(&c.SweepInterval, time.Second),
	} {
		if err != nil {
			return err
		}
	}
	if c.ReadLimit < 0 {
		return fmt.Errorf("%w: negative read limit", ErrConfig)
	}
	if c.ReadLimit == 0 {
		c.ReadLimit = MaxMessageBytes
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: PublicURL %q is not an http(s) URL", ErrConfig, c.PublicURL)
		}
		c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	}
	for _, o := range c.Origins {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || u.Path != "" {
			return fmt.Errorf("%w: origin %q is not scheme://host[:port]", ErrConfig, o)
		}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	return nil
}

// Server is the classroom: it holds every room in memory and serves the
// websocket. Create it with New; it is safe for concurrent use.
type Server struct {
	cfg      Config
	upgrader websocket.Upgrader
	joins    *ipLimiter

	randMu sync.Mutex // Config.Rand need not be safe for concurrent use

	mu     sync.Mutex
	rooms  map[string]*room
	closed bool

	connSet map[*conn]struct{} // guarded by mu
	pending map[string]int     // connections not yet in a room, by address key; guarded by mu
	owned   map[string]int     // open rooms by their creator's address key; guarded by mu

	conns    atomic.Int64
	roomWG   sync.WaitGroup // room goroutines
	connWG   sync.WaitGroup // connection pumps
	quit     chan struct{}  // closed by Shutdown
	sweepers sync.WaitGroup
}

// New returns a running server. Call Shutdown to stop it.
func New(cfg Config) (*Server, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		joins:   newIPLimiter(cfg.JoinRate, cfg.JoinBurst, cfg.MaxIPs),
		rooms:   make(map[string]*room),
		connSet: make(map[*conn]struct{}),
		pending: make(map[string]int),
		owned:   make(map[string]int),
		quit:    make(chan struct{}),
	}
	s.upgrader = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   2048,
		WriteBufferSize:  4096,
		CheckOrigin:      s.checkOrigin,
	}
	s.sweepers.Add(1)
	go s.sweepLoop()
	return s, nil
}

// Handler serves PathWS (the websocket), redirects /teach, /join and /gate to the
// pages, and passes anything else under /classroom/ to Config.Fallback.
//
// The pages themselves are static files of the site (playground/classroom).
// Mount the handler on PathWS, "/teach" and "/join" of the site's mux and
// let the site serve the rest of /classroom/; or mount it on "/classroom/"
// too and set Config.Fallback to the site's handler. Call Shutdown when the
// HTTP server stops: http.Server.Shutdown does not close websockets.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(PathWS, s.serveWS)
	redirect := func(to string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			target := to
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusFound)
		}
	}
	mux.HandleFunc("/teach", redirect(PathTeach))
	mux.HandleFunc("/join", redirect(PathJoin))
	mux.HandleFunc("/gate", redirect(PathGate))
	mux.HandleFunc("/classroom/", func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Fallback != nil {
			s.cfg.Fallback.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	})
	return mux
}

// checkOrigin admits a websocket only from a page of the same host as the
// request (or one of Config.Origins). A request without Origin is not from
// a browser page of ours and is refused as well.
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	for _, o := range s.cfg.Origins {
		if strings.EqualFold(origin, o) {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if s.isClosed() {
		http.Error(w, "503 classroom closed", http.StatusServiceUnavailable)
		return
	}
	if n := s.conns.Add(1); n > int64(s.cfg.MaxConns) {
		s.conns.Add(-1)
		http.Error(w, "503 too many connections", http.StatusServiceUnavailable)
		return
	}
	key := requestKey(r, s.cfg.TrustedProxies)
	s.mu.Lock()
	if s.pending[key] >= s.cfg.MaxPendingPerAddr {
		s.mu.Unlock()
		s.conns.Add(-1)
		http.Error(w, "503 too many connections from this address", http.StatusServiceUnavailable)
		return
	}
	s.pending[key]++
	s.mu.Unlock()
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		// The upgrader has answered (403 for a foreign origin).
		s.mu.Lock()
		s.unpendLocked(key)
		s.mu.Unlock()
		s.conns.Add(-1)
		return
	}
	base := s.cfg.PublicURL
	if base == "" {
		base = strings.TrimSuffix(r.Header.Get("Origin"), "/")
	}
	c := newConn(s, ws, key, base)
	c.pending = true
	s.mu.Lock()
	if s.closed {
		s.unpendLocked(key)
		s.mu.Unlock()
		ws.Close()
		s.conns.Add(-1)
		return
	}
	s.connSet[c] = struct{}{}
	s.connWG.Add(2)
	s.mu.Unlock()
	go c.writePump()
	go c.readPump()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// randomBytes fills b from Config.Rand.
func (s *Server) randomBytes(b []byte) error {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		return fmt.Errorf("classroom: reading randomness: %w", err)
	}
	return nil
}

// newToken returns a resume token for a member of the room with code:
// the code, a dot and 128 random bits in base64url. The code in front
// lets the server find the room without a global table of tokens.
func (s *Server) newToken(code string) (string, error) {
	var b [16]byte
	if err := s.randomBytes(b[:]); err != nil {
		return "", err
	}
	return code + "." + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

const tokenLen = CodeLen + 1 + 22

func validToken(t string) bool {
	if len(t) != tokenLen || t[CodeLen] != '.' {
		return false
	}
	for i := 0; i < CodeLen; i++ {
		if strings.IndexByte(CodeAlphabet, t[i]) < 0 {
			return false
		}
	}
	for i := CodeLen + 1; i < len(t); i++ {
		c := t[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// createRoom opens a room with c as its teacher.
func (s *Server) createRoom(c *conn) (*room, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrCodeServerFull, errors.New("closed")
	}
	if len(s.rooms) >= s.cfg.MaxRooms {
		return nil, ErrCodeServerFull, errors.New("too many rooms")
	}
	if s.owned[c.key] >= s.cfg.MaxRoomsPerAddr {
		return nil, ErrCodeServerFull, errTooManyRooms
	}
	var code string
	for tries := 0; ; tries++ {
		if tries == 8 {
			return nil, ErrCodeServerFull, errors.New("no free join code")
		}
		s.randMu.Lock()
		cd, err := newCode(s.cfg.Rand)
		s.randMu.Unlock()
		if err != nil {
			return nil, ErrCodeServerFull, err
		}
		if _, taken := s.rooms[cd]; !taken {
			code = cd
			break
		}
	}
	token, err := s.newToken(code)
	if err != nil {
		return nil, ErrCodeServerFull, err
	}
	r := newRoom(s, code, token, c)
	s.rooms[code] = r
	s.owned[c.key]++
	s.roomWG.Add(1)
	go r.run()
	return r, "", nil
}

func (s *Server) lookup(code string) *room {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rooms[code]
}

func (s *Server) unregister(r *room) {
	s.mu.Lock()
	if s.rooms[r.code] == r {
		delete(s.rooms, r.code)
		if s.owned[r.owner]--; s.owned[r.owner] <= 0 {
			delete(s.owned, r.owner)
		}
	}
	s.mu.Unlock()
}

func (s *Server) sweepLoop() {
	defer s.sweepers.Done()
	t := time.NewTicker(s.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
			s.sweep()
		}
	}
}

// sweep asks every room to check its timeouts and forgets join-limiter
// entries that have refilled.
func (s *Server) sweep() {
	now := s.now()
	s.mu.Lock()
	rooms := make([]*room, 0, len(s.rooms))
	for _, r := range s.rooms {
		rooms = append(rooms, r)
	}
	s.mu.Unlock()
	for _, r := range rooms {
		r.post(event{kind: evTick, now: now})
	}
	s.joins.sweep(now)
}

// Stats counts what the server holds. It contains numbers only, never a
// nickname or an embedding; tests use it to check that erasing works.
type Stats struct {
	Rooms       int // open rooms
	Students    int // students in them, connected or within their resume window
	Embeddings  int // embeddings held (students who opted in); a gate's faces are never held
	Gates       int // gate devices in the rooms
	Sightings   int // sightings of students at gates
	Connections int // open websocket connections, in any state
}

// Stats returns the current counts.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	st := Stats{Rooms: len(s.rooms)}
	for _, r := range s.rooms {
		st.Students += int(r.nStudents.Load())
		st.Embeddings += int(r.nShared.Load())
		st.Gates += int(r.nGates.Load())
		st.Sightings += int(r.nSightings.Load())
	}
	s.mu.Unlock()
	st.Connections = int(s.conns.Load())
	return st
}

// Shutdown tells every client that the session is over, erases every room
// and closes every connection. It waits for the room and connection
// goroutines to finish, or for ctx. New connections are refused from the
// moment it is called.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.closed = true
	close(s.quit)
	s.mu.Unlock()
	s.sweepers.Wait()

	// Rooms see quit, tell their members and erase themselves.
	if err := waitCtx(ctx, &s.roomWG); err != nil {
		return err
	}
	// Connections that never joined a room (or whose room is gone) are
	// told here; finishing a connection twice does nothing.
	s.mu.Lock()
	for c := range s.connSet {
		c.finish(encodeEnded(EndedShutdown))
	}
	s.mu.Unlock()
	return waitCtx(ctx, &s.connWG)
}

func waitCtx(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dropConn forgets a connection whose pumps have both stopped.
func (s *Server) dropConn(c *conn) {
	s.mu.Lock()
	delete(s.connSet, c)
	if c.pending {
		c.pending = false
		s.unpendLocked(c.key)
	}
	s.mu.Unlock()
	s.conns.Add(-1)
}

// authenticated moves c out of the pending count of its address: it has
// created, joined or resumed.
func (s *Server) authenticated(c *conn) {
	s.mu.Lock()
	if c.pending {
		c.pending = false
		s.unpendLocked(c.key)
	}
	s.mu.Unlock()
}

func (s *Server) unpendLocked(key string) {
	if s.pending[key]--; s.pending[key] <= 0 {
		delete(s.pending, key)
	}
}
