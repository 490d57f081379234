package classroom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/facewatch/facewatch/facelib/match"
)

// ProtocolVersion is the value of "v" in every message, both ways. A
// message with any other version is refused.
const ProtocolVersion = 1

// EmbeddingDim is the length of a shared face embedding: the 128 numbers of
// the dlib ResNet, not L2-normalised.
const EmbeddingDim = match.Dim

// MaxComponent bounds each number of a shared embedding. Real embeddings
// of the dlib network stay well inside it (the largest of 34 faces of the
// evaluation set is 0.47); a vector beyond it is not the output of the
// network for a face, and refusing it takes away the large single-axis
// steps a reconstruction attack would probe with (see docs/classroom.md).
const MaxComponent = 0.6

// MinNorm and MaxNorm bound the Euclidean length of a shared embedding.
// Real ones are 1.43 to 1.60 on the evaluation set; the bounds leave room
// for webcam faces and averaging without admitting vectors no face gives.
const (
	MinNorm = 0.8
	MaxNorm = 2.2
)

// MaxNickRunes is the longest nickname, in characters.
const MaxNickRunes = 24

// MaxMessageBytes is the largest message Decode accepts (and the default
// websocket read limit). 128 numbers with six decimals take about 1.3 KB.
const MaxMessageBytes = 4096

// Message types a client sends.
const (
	TypeCreate   = "create"   // teacher: open a room
	TypeJoin     = "join"     // student: {code, nick}
	TypeResume   = "resume"   // either role: {token} after a reconnect
	TypeShare    = "share"    // student: {embedding: [128 numbers]} opt in, or update
	TypeWithdraw = "withdraw" // student: erase my embedding everywhere
	TypeLeave    = "leave"    // student: erase me from the room and close
	TypeLock     = "lock"     // teacher: {locked: bool}
	TypeRemove   = "remove"   // teacher: {id} remove a student
	TypeScene    = "scene"    // teacher: {scene} move the class to a scene
	TypeEnd      = "end"      // teacher: end the session, erase the room

	TypeGate   = "gate"   // a gate device: {code} join the room as a gate camera
	TypeAssign = "assign" // teacher: {id, gate} make a gate device gate A, B or C
	TypeWatch  = "watch"  // gate: {on: bool} its operator opts in (or stops)
	TypeSeen   = "seen"   // gate: {embedding} the numbers of a face it saw
	TypeNotMe  = "notme"  // student: {sighting} that sighting of me was not me
)

// Gates a gate device can be, in the order of the route: A check-in, B
// security, C boarding (the pages name them).
var Gates = []string{"A", "B", "C"}

// Message types the server sends.
const (
	TypeWelcome   = "welcome"   // after create/join/resume: role, ids, resume token
	TypeState     = "state"     // to a student: scene, lock, counts, own status
	TypeClass     = "class"     // to the teacher: roster and distance matrix
	TypeError     = "error"     // a refused message: {code, msg}
	TypeEnded     = "ended"     // the room is gone for this client: {reason}; then close
	TypeGateState = "gatestate" // to a gate: which gate it is, whether it watches, how many faces it sent
)

// Scenes the teacher moves the class through. Student pages show the text
// that goes with the scene; the teacher page shows the matching view.
const (
	SceneLobby     = "lobby"     // waiting for the class to join
	SceneShare     = "share"     // students decide whether to share their numbers
	SceneMatrix    = "matrix"    // the similarity matrix by nickname
	ScenePairs     = "pairs"     // the closest look-alike pairs
	SceneThreshold = "threshold" // false matches at each threshold (slider)
	SceneGates     = "gates"     // gate cameras follow those who share from gate to gate
	SceneScale     = "scale"     // from our class to 57.6 million records
	SceneDiscuss   = "discuss"   // lights on: discussion, no numbers
)

// Scenes lists every valid scene in teaching order.
var Scenes = []string{SceneLobby, SceneShare, SceneMatrix, ScenePairs, SceneThreshold, SceneGates, SceneScale, SceneDiscuss}

// Error codes sent in {"type":"error","code":…}.
const (
	ErrCodeBadMessage  = "bad_message"   // malformed, unknown type, wrong fields
	ErrCodeJoinFailed  = "join_failed"   // wrong, expired or locked code: always the same reply
	ErrCodeRateLimited = "rate_limited"  // too many join attempts from this address, or too many messages
	ErrCodeBadNick     = "bad_nick"      // nickname empty, too long or with odd characters
	ErrCodeNickTaken   = "nick_taken"    // someone in the room already uses it
	ErrCodeRoomFull    = "room_full"     // the room has its maximum of students
	ErrCodeServerFull  = "server_full"   // no more rooms or connections
	ErrCodeForbidden   = "forbidden"     // message not allowed for this role or state
	ErrCodeNoStudent   = "no_student"    // remove: no such student
	ErrCodeBadEmbed    = "bad_embedding" // share: 128 numbers no face gives (see MaxComponent, MinNorm, MaxNorm)
	ErrCodeShareLimit  = "share_limit"   // share: this student has shared MaxShares times already
	ErrCodeNotWatching = "not_watching"  // seen: the gate has no gate assigned yet, or its operator has not opted in
	ErrCodeGateLimit   = "gate_limit"    // seen: the room has taken Config.MaxGateSeen faces from gates already
	ErrCodeNoGate      = "no_gate"       // assign: no such gate device
	ErrCodeNoSighting  = "no_sighting"   // notme: no such sighting in this student's journey
)

// Reasons sent in {"type":"ended","reason":…}.
const (
	EndedByTeacher = "ended"    // the teacher ended the session
	EndedIdle      = "idle"     // nobody was active for the idle timeout, or the teacher did not come back
	EndedShutdown  = "shutdown" // the server is stopping
	EndedRemoved   = "removed"  // the teacher removed this student
	EndedLeft      = "left"     // the student left
	EndedReplaced  = "replaced" // the same member connected again elsewhere
	EndedTooSlow   = "slow"     // the client did not keep up with its messages
)

// Decode errors. Every error Decode returns wraps ErrBadMessage; the more
// specific ones are wrapped as well, so errors.Is works for both.
var (
	ErrBadMessage   = errors.New("classroom: bad message")
	ErrVersion      = errors.New("classroom: unsupported protocol version")
	ErrUnknownType  = errors.New("classroom: unknown message type")
	ErrBadEmbedding = errors.New("classroom: embedding must be 128 finite numbers")
	ErrBadNick      = errors.New("classroom: nickname must be 1 to 24 letters, digits, spaces or - _ . '")
	ErrImplausible  = errors.New("classroom: these numbers are not like any face's")
)

// Message is a decoded, validated client message. Only the fields of its
// Type are set.
type Message struct {
	Type      string
	Code      string           // join: canonical join code
	Nick      string           // join: normalised nickname
	NickKey   string           // join: NickSkeleton(Nick), for uniqueness
	Token     string           // resume
	Embedding *match.Embedding // share
	Locked    bool             // lock
	ID        string           // remove
	Scene     string           // scene
	Gate      string           // assign: "A", "B" or "C"
	On        bool             // watch
	Sighting  string           // notme: a sighting's id
}

// field bits: which keys a message type requires.
const (
	fCode = 1 << iota
	fNick
	fToken
	fEmbedding
	fLocked
	fID
	fScene
	fGate
	fOn
	fSighting
)

var fieldBits = map[string]int{
	"code": fCode, "nick": fNick, "token": fToken, "embedding": fEmbedding,
	"locked": fLocked, "id": fID, "scene": fScene, "gate": fGate, "on": fOn, "sighting": fSighting,
}

// typeFields gives, for each client message type, the exact set of fields
// it carries besides "v" and "type". All of them are required; no other is
// allowed.
var typeFields = map[string]int{
	TypeCreate:   0,
	TypeJoin:     fCode | fNick,
	TypeResume:   fToken,
	TypeShare:    fEmbedding,
	TypeWithdraw: 0,
	TypeLeave:    0,
	TypeLock:     fLocked,
	TypeRemove:   fID,
	TypeScene:    fScene,
	TypeEnd:      0,
	TypeGate:     fCode,
	TypeAssign:   fID | fGate,
	TypeWatch:    fOn,
	TypeSeen:     fEmbedding,
	TypeNotMe:    fSighting,
}

func badf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadMessage}, args...)...)
}

// Decode parses and validates one client message. It is strict: the
// message must be a single JSON object with "v":1, a known "type", exactly
// the fields of that type (key names are matched exactly, null is not a
// value), an embedding of exactly EmbeddingDim finite numbers within
// ±MaxComponent, and strings of the right form. It never panics.
func Decode(data []byte) (Message, error) {
	var m Message
	if len(data) > MaxMessageBytes {
		return m, badf("%d bytes, limit %d", len(data), MaxMessageBytes)
	}
	if !utf8.Valid(data) {
		return m, badf("not UTF-8")
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return m, badf("not a JSON object: %v", err)
	}
	if raw == nil {
		return m, badf("not a JSON object")
	}
	if len(bytes.TrimSpace(data[dec.InputOffset():])) != 0 {
		return m, badf("data after the object")
	}
	vRaw, ok := raw["v"]
	if !ok {
		return m, badf("no \"v\"")
	}
	var v int
	if err := json.Unmarshal(vRaw, &v); err != nil || v != ProtocolVersion {
		return m, fmt.Errorf("%w: %w: %s", ErrBadMessage, ErrVersion, truncate(vRaw))
	}
	tRaw, ok := raw["type"]
	if !ok {
		return m, badf("no \"type\"")
	}
	if err := unmarshalString(tRaw, &m.Type); err != nil {
		return m, badf("type: %v", err)
	}
	want, ok := typeFields[m.Type]
	if !ok {
		return Message{}, fmt.Errorf("%w: %w: %q", ErrBadMessage, ErrUnknownType, truncate([]byte(m.Type)))
	}
	have := 0
	for k := range raw {
		if k == "v" || k == "type" {
			continue
		}
		bit, known := fieldBits[k]
		if !known || want&bit == 0 {
			return Message{}, badf("field %q not allowed in %q", truncate([]byte(k)), m.Type)
		}
		have |= bit
	}
	if have != want {
		return Message{}, badf("%q lacks a required field", m.Type)
	}
	var err error
	switch m.Type {
	case TypeGate:
		var code string
		if err = unmarshalString(raw["code"], &code); err == nil {
			m.Code, err = NormalizeCode(code)
		}
	case TypeAssign:
		if err = unmarshalString(raw["id"], &m.ID); err != nil {
			break
		}
		if !validMemberID(m.ID, 'g') {
			err = errors.New("malformed gate id")
		} else if err = unmarshalString(raw["gate"], &m.Gate); err == nil && !validGate(m.Gate) {
			err = fmt.Errorf("unknown gate %q", truncate([]byte(m.Gate)))
		}
	case TypeWatch:
		err = unmarshalBool(raw["on"], "on", &m.On)
	case TypeNotMe:
		if err = unmarshalString(raw["sighting"], &m.Sighting); err == nil && !validMemberID(m.Sighting, 'x') {
			err = errors.New("malformed sighting id")
		}
	case TypeJoin:
		var code, nick string
		if err = unmarshalString(raw["code"], &code); err != nil {
			break
		}
		if m.Code, err = NormalizeCode(code); err != nil {
			break
		}
		if err = unmarshalString(raw["nick"], &nick); err != nil {
			break
		}
		if m.Nick, err = NormalizeNick(nick); err == nil {
			m.NickKey = NickSkeleton(m.Nick)
		}
	case TypeResume:
		if err = unmarshalString(raw["token"], &m.Token); err == nil && !validToken(m.Token) {
			err = errors.New("malformed token")
		}
	case TypeShare, TypeSeen:
		m.Embedding, err = decodeEmbedding(raw["embedding"])
	case TypeLock:
		err = unmarshalBool(raw["locked"], "locked", &m.Locked)
	case TypeRemove:
		// A student ("s3") or a gate device ("g1").
		if err = unmarshalString(raw["id"], &m.ID); err == nil && !validMemberID(m.ID, 's') && !validMemberID(m.ID, 'g') {
			err = errors.New("malformed member id")
		}
	case TypeScene:
		if err = unmarshalString(raw["scene"], &m.Scene); err == nil && !validScene(m.Scene) {
			err = fmt.Errorf("unknown scene %q", truncate([]byte(m.Scene)))
		}
	}
	if err != nil {
		if errors.Is(err, ErrBadMessage) {
			return Message{}, err
		}
		return Message{}, fmt.Errorf("%w: %s: %w", ErrBadMessage, m.Type, err)
	}
	return m, nil
}

func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

func unmarshalBool(raw json.RawMessage, name string, b *bool) error {
	if isNull(raw) {
		return fmt.Errorf("%s: null", name)
	}
	if json.Unmarshal(raw, b) != nil {
		return fmt.Errorf("%s: not a boolean", name)
	}
	return nil
}

func unmarshalString(raw json.RawMessage, s *string) error {
	if isNull(raw) {
		return errors.New("null, want a string")
	}
	if err := json.Unmarshal(raw, s); err != nil {
		return errors.New("not a string")
	}
	if len(*s) > 256 {
		return errors.New("string too long")
	}
	return nil
}

func decodeEmbedding(raw json.RawMessage) (*match.Embedding, error) {
	if isNull(raw) {
		return nil, ErrBadEmbedding
	}
	// Element by element: json.Unmarshal into []float64 would read a null
	// element as 0.
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadEmbedding, err)
	}
	if len(elems) != EmbeddingDim {
		return nil, fmt.Errorf("%w: got %d numbers", ErrBadEmbedding, len(elems))
	}
	xs := make([]float64, EmbeddingDim)
	for i, el := range elems {
		if isNull(el) || json.Unmarshal(el, &xs[i]) != nil {
			return nil, fmt.Errorf("%w: number %d is not a number", ErrBadEmbedding, i)
		}
	}
	e, err := match.FromFloat64(xs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadEmbedding, err)
	}
	if err := Plausible((*match.Embedding)(&e)); err != nil {
		return nil, err
	}
	out := match.Embedding(e)
	return &out, nil
}

// Plausible reports whether e could be the dlib network's embedding of a
// face: every component within ±MaxComponent and the norm within
// [MinNorm, MaxNorm]. Errors wrap ErrImplausible and ErrBadMessage.
func Plausible(e *match.Embedding) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("%w: %w: %w", ErrBadMessage, ErrImplausible, err)
	}
	for i, x := range e {
		if x > MaxComponent || x < -MaxComponent {
			return fmt.Errorf("%w: %w: number %d is %.3g, beyond ±%g", ErrBadMessage, ErrImplausible, i, x, MaxComponent)
		}
	}
	if n := e.Norm(); n < MinNorm || n > MaxNorm {
		return fmt.Errorf("%w: %w: length %.3g outside %g..%g", ErrBadMessage, ErrImplausible, n, MinNorm, MaxNorm)
	}
	return nil
}

func validScene(s string) bool {
	for _, x := range Scenes {
		if s == x {
			return true
		}
	}
	return false
}

func validGate(g string) bool {
	for _, x := range Gates {
		if g == x {
			return true
		}
	}
	return false
}

// Member ids are a letter ("s" a student, "g" a gate device, "x" a
// sighting) followed by a decimal number: not secrets, only handles.
func validMemberID(s string, prefix byte) bool {
	if len(s) < 2 || len(s) > 11 || s[0] != prefix || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func truncate(b []byte) string {
	const max = 32
	if len(b) > max {
		b = b[:max]
	}
	return strings.ToValidUTF8(string(b), "?")
}
