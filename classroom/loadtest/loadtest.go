package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/facewatch/facewatch/classroom"
	"github.com/gorilla/websocket"
)

// Config sizes a run. Zero fields take the defaults in brackets.
type Config struct {
	Rooms       int           // rooms [20]
	Students    int           // students per room [40]
	Duration    time.Duration // measured phase [10s]
	UpdateEvery time.Duration // each student's update period [1s]
	SceneEvery  time.Duration // each teacher's scene period [2s]
	Seed        uint64        // embeddings and jitter [1]
}

func (c *Config) defaults() error {
	if c.Rooms < 0 || c.Students < 0 || c.Duration < 0 || c.UpdateEvery < 0 || c.SceneEvery < 0 {
		return errors.New("loadtest: negative setting")
	}
	if c.Rooms == 0 {
		c.Rooms = 20
	}
	if c.Students == 0 {
		c.Students = 40
	}
	if c.Duration == 0 {
		c.Duration = 10 * time.Second
	}
	if c.UpdateEvery == 0 {
		c.UpdateEvery = time.Second
	}
	if c.SceneEvery == 0 {
		c.SceneEvery = 2 * time.Second
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Rooms > 1000 || c.Students > 200 {
		return errors.New("loadtest: at most 1000 rooms of 200 students")
	}
	return nil
}

// Latency summarises one kind of delivery.
type Latency struct {
	N             int
	P50, P99, Max time.Duration
}

func (l Latency) String() string {
	return fmt.Sprintf("n=%d p50=%v p99=%v max=%v", l.N, l.P50.Round(10*time.Microsecond), l.P99.Round(10*time.Microsecond), l.Max.Round(10*time.Microsecond))
}

// Result is what a run measured.
type Result struct {
	Config
	Class, Scene, Ack Latency
	// Skipped counts student updates whose class view the teacher never
	// saw on its own because a newer snapshot replaced it first (the
	// one-slot mailbox coalescing under load).
	Skipped int
	// HeapPerRoom is the live heap after setup divided by the rooms,
	// server and load clients together.
	HeapPerRoom uint64
	Goroutines  int
	// CPU is the process CPU time during the measured phase, and Cores
	// the average number of cores it kept busy.
	CPU   time.Duration
	Cores float64
	Wall  time.Duration
}

type recorder struct {
	mu      sync.Mutex
	samples []time.Duration
}

func (r *recorder) add(d time.Duration) {
	r.mu.Lock()
	r.samples = append(r.samples, d)
	r.mu.Unlock()
}

func (r *recorder) summary() Latency {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := slices.Clone(r.samples)
	slices.Sort(s)
	if len(s) == 0 {
		return Latency{}
	}
	q := func(p float64) time.Duration { return s[min(len(s)-1, int(math.Ceil(p*float64(len(s))))-1)] }
	return Latency{N: len(s), P50: q(0.5), P99: q(0.99), Max: s[len(s)-1]}
}

// Run starts a classroom server on a loopback port, fills it, measures for
// cfg.Duration and shuts everything down.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.defaults(); err != nil {
		return Result{}, err
	}
	res := Result{Config: cfg}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	conns := cfg.Rooms * (cfg.Students + 1)
	srv, err := classroom.New(classroom.Config{
		MaxRooms: cfg.Rooms, MaxStudents: cfg.Students, MaxConns: conns + 16,
		// Every client comes from 127.0.0.1: the per-address join limit
		// must let the whole load in.
		JoinBurst: conns + 16, JoinRate: 1000,
		MaxPendingPerAddr: conns + 16, MaxRoomsPerAddr: cfg.Rooms,
		// Every student re-shares once per update: lift the caps that keep
		// a real class's numbers from being probed (docs/classroom.md).
		MaxShares: math.MaxInt32, MaxCompared: math.MaxInt32,
	})
	if err != nil {
		return res, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	origin := "http://" + ln.Addr().String()
	url := "ws://" + ln.Addr().String() + classroom.PathWS

	var class, scene, ack recorder
	var skipped atomic.Int64
	rooms := make([]*loadRoom, cfg.Rooms)
	for i := range rooms {
		lr, err := setupRoom(ctx, url, origin, i, cfg, &class, &scene, &ack, &skipped)
		if err != nil {
			for _, r := range rooms[:i] {
				r.close()
			}
			return res, fmt.Errorf("loadtest: room %d: %w", i, err)
		}
		rooms[i] = lr
	}
	defer func() {
		for _, r := range rooms {
			r.close()
		}
	}()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if after.HeapAlloc > before.HeapAlloc {
		res.HeapPerRoom = (after.HeapAlloc - before.HeapAlloc) / uint64(cfg.Rooms)
	}
	res.Goroutines = runtime.NumGoroutine()

	cpu0 := cpuTime()
	start := time.Now()
	phase, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var wg sync.WaitGroup
	for _, r := range rooms {
		r.start(phase, &wg)
	}
	wg.Wait()
	res.Wall = time.Since(start)
	res.CPU = cpuTime() - cpu0
	if res.Wall > 0 && res.CPU > 0 {
		res.Cores = res.CPU.Seconds() / res.Wall.Seconds()
	}
	res.Class, res.Scene, res.Ack = class.summary(), scene.summary(), ack.summary()
	res.Skipped = int(skipped.Load())
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

type loadStudent struct {
	ws       *websocket.Conn
	id       string
	msgs     [2][]byte // two embeddings to alternate
	rev      atomic.Int64
	sentAt   atomic.Int64 // unix nanos of the outstanding update, 0 if none
	lastRev  atomic.Int64 // highest rev seen in own state
	acked    chan struct{}
	observed chan struct{}
}

type loadRoom struct {
	teacher    *websocket.Conn
	students   []*loadStudent
	byID       map[string]*loadStudent
	cfg        Config
	rng        *rand.Rand
	sceneAt    atomic.Int64
	sceneName  atomic.Value
	class      *recorder
	scene, ack *recorder
	skipped    *atomic.Int64
	readers    sync.WaitGroup
}

func dial(ctx context.Context, url, origin string) (*websocket.Conn, error) {
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	ws, _, err := d.DialContext(ctx, url, http.Header{"Origin": {origin}})
	return ws, err
}

func field(b []byte, key string) string {
	i := bytes.Index(b, []byte(`"`+key+`":`))
	if i < 0 {
		return ""
	}
	v := b[i+len(key)+3:]
	if len(v) > 0 && v[0] == '"' {
		v = v[1:]
		if j := bytes.IndexByte(v, '"'); j >= 0 {
			return string(v[:j])
		}
		return ""
	}
	j := bytes.IndexAny(v, ",}")
	if j < 0 {
		return ""
	}
	return string(v[:j])
}

func readUntil(ws *websocket.Conn, typ string) ([]byte, error) {
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			return nil, err
		}
		switch field(b, "type") {
		case typ:
			return b, nil
		case classroom.TypeError, classroom.TypeEnded:
			return nil, fmt.Errorf("server said %s", b)
		}
	}
}

func embeddingMsg(rng *rand.Rand) []byte {
	b := []byte(`{"v":1,"type":"share","embedding":[`)
	for i := 0; i < classroom.EmbeddingDim; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, rng.NormFloat64()*0.1, 'f', 6, 64)
	}
	return append(b, "]}"...)
}

func setupRoom(ctx context.Context, url, origin string, idx int, cfg Config, class, scene, ack *recorder, skipped *atomic.Int64) (*loadRoom, error) {
	r := &loadRoom{cfg: cfg, byID: map[string]*loadStudent{}, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(idx))),
		class: class, scene: scene, ack: ack, skipped: skipped}
	t, err := dial(ctx, url, origin)
	if err != nil {
		return nil, err
	}
	r.teacher = t
	t.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"create"}`))
	w, err := readUntil(t, classroom.TypeWelcome)
	if err != nil {
		r.close()
		return nil, err
	}
	code := field(w, "code")
	for i := 0; i < cfg.Students; i++ {
		ws, err := dial(ctx, url, origin)
		if err != nil {
			r.close()
			return nil, err
		}
		s := &loadStudent{ws: ws, acked: make(chan struct{}, 1), observed: make(chan struct{}, 1)}
		r.students = append(r.students, s)
		ws.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf(`{"v":1,"type":"join","code":%q,"nick":"n%d"}`, code, i)))
		w, err := readUntil(ws, classroom.TypeWelcome)
		if err != nil {
			r.close()
			return nil, err
		}
		s.id = field(w, "id")
		r.byID[s.id] = s
		s.msgs = [2][]byte{embeddingMsg(r.rng), embeddingMsg(r.rng)}
		ws.WriteMessage(websocket.TextMessage, s.msgs[0])
		if _, err := readUntil(ws, classroom.TypeState); err != nil {
			r.close()
			return nil, err
		}
		s.rev.Store(1)
	}
	return r, nil
}

func (r *loadRoom) close() {
	if r.teacher != nil {
		r.teacher.Close()
	}
	for _, s := range r.students {
		s.ws.Close()
	}
	r.readers.Wait()
}

// start runs the room's teacher and students until ctx ends.
func (r *loadRoom) start(ctx context.Context, wg *sync.WaitGroup) {
	r.sceneName.Store("")
	// Readers: they only scan the fields they need, so that the clients
	// cost little next to the server.
	r.readers.Add(1 + len(r.students))
	go func() {
		defer r.readers.Done()
		for {
			r.teacher.SetReadDeadline(time.Time{})
			_, b, err := r.teacher.ReadMessage()
			if err != nil {
				return
			}
			now := time.Now().UnixNano()
			if id := field(b, "changed"); id != "" {
				if s := r.byID[id]; s != nil {
					if at := s.sentAt.Swap(0); at != 0 {
						r.class.add(time.Duration(now - at))
						select {
						case s.observed <- struct{}{}:
						default:
						}
					}
				}
			}
		}
	}()
	for _, s := range r.students {
		go func() {
			defer r.readers.Done()
			seen := ""
			for {
				s.ws.SetReadDeadline(time.Time{})
				_, b, err := s.ws.ReadMessage()
				if err != nil {
					return
				}
				now := time.Now().UnixNano()
				if sc := field(b, "scene"); sc != seen && sc == r.sceneName.Load().(string) {
					seen = sc
					r.scene.add(time.Duration(now - r.sceneAt.Load()))
				}
				if rev, err := strconv.ParseInt(field(b, "rev"), 10, 64); err == nil && rev > s.lastRev.Load() {
					s.lastRev.Store(rev)
					select {
					case s.acked <- struct{}{}:
					default:
					}
				}
			}
		}()
	}

	wg.Add(1 + len(r.students))
	go func() {
		defer wg.Done()
		scenes := classroom.Scenes
		tick := time.NewTicker(r.cfg.SceneEvery)
		defer tick.Stop()
		for i := 1; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			sc := scenes[i%len(scenes)]
			r.sceneName.Store(sc)
			r.sceneAt.Store(time.Now().UnixNano())
			r.teacher.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if r.teacher.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"scene","scene":"`+sc+`"}`)) != nil {
				return
			}
		}
	}()
	for _, s := range r.students {
		first := time.Duration(r.rng.Int64N(int64(r.cfg.UpdateEvery)))
		go func() {
			defer wg.Done()
			next := time.Now().Add(first)
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Until(next)):
				}
				next = next.Add(r.cfg.UpdateEvery)
				rev := s.rev.Add(1)
				start := time.Now()
				s.sentAt.Store(start.UnixNano())
				s.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
				if s.ws.WriteMessage(websocket.TextMessage, s.msgs[rev%2]) != nil {
					return
				}
				// Wait for our own ack, then for the teacher to have seen
				// this update (or a newer snapshot to have replaced it).
				for s.lastRev.Load() < rev {
					select {
					case <-s.acked:
					case <-ctx.Done():
						return
					}
				}
				r.ack.add(time.Since(start))
				select {
				case <-s.observed:
				case <-time.After(r.cfg.UpdateEvery):
					if s.sentAt.Swap(0) != 0 {
						r.skipped.Add(1)
					}
				case <-ctx.Done():
					return
				}
			}
		}()
	}
}
