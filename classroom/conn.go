package classroom

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// conn is one websocket client, teacher or student. Its read pump is the
// only reader and its write pump the only writer of the websocket (as in
// gorilla/websocket's chat example). The room never blocks on a conn: it
// puts events in a bounded queue (a full queue means the client is too
// slow, and it is dropped) and snapshots in a one-slot mailbox that always
// holds only the newest, so a slow teacher screen skips stale matrices
// instead of falling behind.
type conn struct {
	srv  *Server
	ws   *websocket.Conn
	key  string // rate-limit key of the remote address
	base string // origin for the join URL

	send      chan []byte
	snap      atomic.Pointer[[]byte]
	snapReady chan struct{}

	quit  chan struct{} // closed by finish
	once  sync.Once
	final atomic.Pointer[[]byte] // last message before the close frame
	pumps atomic.Int32

	room    *room // set by the read pump once joined; read pump only
	pending bool  // counted in Server.pending; guarded by Server.mu
}

func newConn(s *Server, ws *websocket.Conn, key, base string) *conn {
	return &conn{
		srv:       s,
		ws:        ws,
		key:       key,
		base:      base,
		send:      make(chan []byte, s.cfg.SendQueue),
		snapReady: make(chan struct{}, 1),
		quit:      make(chan struct{}),
	}
}

// enqueue queues an event message without blocking. It reports false if
// the queue is full.
func (c *conn) enqueue(b []byte) bool {
	select {
	case c.send <- b:
		return true
	default:
		return false
	}
}

// setSnapshot replaces the pending snapshot with b.
func (c *conn) setSnapshot(b []byte) {
	c.snap.Store(&b)
	select {
	case c.snapReady <- struct{}{}:
	default:
	}
}

// finish closes the connection after the queued events and msg (if not
// nil) have been written. Only the first call counts.
func (c *conn) finish(msg []byte) {
	c.once.Do(func() {
		if msg != nil {
			c.final.Store(&msg)
		}
		close(c.quit)
	})
}

// reply queues an answer from the read pump; a client whose queue is full
// is not reading and is closed.
func (c *conn) reply(b []byte) {
	if !c.enqueue(b) {
		c.finish(nil)
	}
}

func (c *conn) pumpDone() {
	if c.pumps.Add(1) == 2 {
		c.srv.dropConn(c)
	}
	c.srv.connWG.Done()
}

func (c *conn) write(b []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(c.srv.cfg.WriteWait))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// drain writes the queued events without waiting for more.
func (c *conn) drain() error {
	for {
		select {
		case b := <-c.send:
			if err := c.write(b); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func (c *conn) writePump() {
	defer c.pumpDone()
	defer c.ws.Close()
	ping := time.NewTicker(c.srv.cfg.PongWait * 9 / 10)
	defer ping.Stop()
	for {
		var err error
		select {
		case b := <-c.send:
			err = c.write(b)
		case <-c.snapReady:
			// Events queued before the snapshot was set go first, so a
			// welcome always precedes the first state.
			if err = c.drain(); err == nil {
				if p := c.snap.Swap(nil); p != nil {
					err = c.write(*p)
				}
			}
		case <-ping.C:
			c.ws.SetWriteDeadline(time.Now().Add(c.srv.cfg.WriteWait))
			err = c.ws.WriteMessage(websocket.PingMessage, nil)
		case <-c.quit:
			if c.drain() == nil {
				if p := c.final.Load(); p != nil {
					c.write(*p)
				}
				c.ws.WriteControl(websocket.CloseMessage,
					websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
					time.Now().Add(c.srv.cfg.WriteWait))
			}
			return
		}
		if err != nil {
			c.finish(nil)
			return
		}
	}
}

func (c *conn) readPump() {
	s := c.srv
	defer c.pumpDone()
	defer func() {
		if c.room != nil {
			c.room.post(event{kind: evGone, c: c})
		}
		// The write pump sends what is queued (a last error, say), then
		// the close frame, and closes the socket.
		c.finish(nil)
	}()
	c.ws.SetReadLimit(s.cfg.ReadLimit)
	// The hello deadline is set once: nothing a client sends before a
	// successful create, join or resume moves it.
	c.ws.SetReadDeadline(time.Now().Add(s.cfg.HelloTimeout))
	var b bucket
	b.fill(s.now(), float64(s.cfg.MsgBurst))
	limited := false
	// Pings count against the same budget as messages; gorilla answers
	// them from inside ReadMessage, on this goroutine.
	c.ws.SetPingHandler(func(data string) error {
		if !b.allow(s.now(), s.cfg.MsgRate, float64(s.cfg.MsgBurst)) {
			limited = true
			return errRateLimited
		}
		err := c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(s.cfg.WriteWait))
		if err == websocket.ErrCloseSent {
			return nil
		}
		return err
	})
	refused := 0 // messages refused before hello
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			// Closed, timed out, over the read limit (gorilla has sent
			// the close frame for that), or pinging too fast.
			if limited {
				c.finish(encodeError(ErrCodeRateLimited, "", "too many messages; connection closed"))
			}
			return
		}
		if !b.allow(s.now(), s.cfg.MsgRate, float64(s.cfg.MsgBurst)) {
			c.finish(encodeError(ErrCodeRateLimited, "", "too many messages; connection closed"))
			return
		}
		if c.room != nil {
			c.ws.SetReadDeadline(time.Now().Add(s.cfg.PongWait))
		}
		var m Message
		if typ != websocket.TextMessage {
			err = errBinary
		} else {
			m, err = Decode(data)
			if m.Type == TypeSeen || m.Type == TypeShare {
				clear(data) // the numbers live on only in m, which the room zeroes (seen) or keeps (share)
			}
		}
		if err != nil {
			c.reply(encodeError(errorCode(err), "", err.Error()))
			if c.room == nil {
				// A client that has not said hello gets a few mistakes,
				// not a slot to keep.
				if refused++; refused >= maxRefusedBeforeHello {
					c.finish(nil)
					return
				}
			}
			continue
		}
		if c.room == nil {
			c.hello(m)
			if c.room == nil {
				if refused++; refused >= maxRefusedBeforeHello {
					c.finish(nil)
					return
				}
			} else {
				s.authenticated(c)
				c.ws.SetReadDeadline(time.Now().Add(s.cfg.PongWait))
				c.ws.SetPongHandler(func(string) error {
					return c.ws.SetReadDeadline(time.Now().Add(s.cfg.PongWait))
				})
			}
			continue
		}
		select {
		case c.room.events <- event{kind: evMsg, c: c, msg: m}:
		case <-c.room.done:
			return
		case <-c.quit:
			return
		}
	}
}

// maxRefusedBeforeHello is how many refused messages a connection may send
// before its first successful create, join or resume; then it is closed.
const maxRefusedBeforeHello = 8

var (
	errBinary      = fmt.Errorf("%w: binary messages are not part of the protocol", ErrBadMessage)
	errRateLimited = errors.New("classroom: too many messages")
)

// errorCode is the error code of a refused message: bad_nick for a
// nickname, bad_embedding for numbers no face gives, else bad_message.
func errorCode(err error) string {
	switch {
	case errors.Is(err, ErrBadNick):
		return ErrCodeBadNick
	case errors.Is(err, ErrImplausible):
		return ErrCodeBadEmbed
	}
	return ErrCodeBadMessage
}

// joinFailed is the one answer to a join or resume with a wrong, expired
// or locked code (or a stale token): nothing in it tells them apart.
var joinFailed = encodeError(ErrCodeJoinFailed, "", "no open class with that code")

// hello handles the first message: create, join or resume. On success it
// sets c.room.
func (c *conn) hello(m Message) {
	s := c.srv
	switch m.Type {
	case TypeCreate, TypeJoin, TypeGate, TypeResume:
	default:
		c.reply(encodeError(ErrCodeForbidden, m.Type, "create, join, gate or resume first"))
		return
	}
	if !s.joins.allow(c.key, s.now()) {
		c.reply(encodeError(ErrCodeRateLimited, m.Type, "too many attempts from this address; wait a minute"))
		return
	}
	switch m.Type {
	case TypeCreate:
		r, code, err := s.createRoom(c)
		if err != nil {
			text := "the classroom server cannot open another room now"
			if errors.Is(err, errTooManyRooms) {
				text = "this address has too many classes open; end one first"
			}
			c.reply(encodeError(code, m.Type, text))
			return
		}
		c.room = r
	case TypeJoin, TypeGate, TypeResume:
		code := m.Code
		if m.Type == TypeResume {
			code = m.Token[:CodeLen]
		}
		r := s.lookup(code)
		if r == nil {
			c.reply(joinFailed)
			return
		}
		kind := evJoin
		switch m.Type {
		case TypeResume:
			kind = evResume
		case TypeGate:
			kind = evGate
		}
		res := make(chan []byte, 1)
		select {
		case r.events <- event{kind: kind, c: c, msg: m, reply: res}:
		case <-r.done:
			c.reply(joinFailed)
			return
		}
		var refusal []byte
		select {
		case refusal = <-res:
		case <-r.done:
			refusal = joinFailed
		}
		if refusal != nil {
			c.reply(refusal)
			return
		}
		c.room = r
	}
}
