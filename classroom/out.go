package classroom

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"

	"rsc.io/qr"
)

// Server messages are built here. The per-change snapshots (class, state)
// are appended by hand into reused buffers; the rare ones use
// encoding/json.

type errorMsg struct {
	V     int    `json:"v"`
	Type  string `json:"type"`
	Code  string `json:"code"`
	About string `json:"about,omitempty"`
	Msg   string `json:"msg"`
}

func encodeError(code, about, msg string) []byte {
	return mustJSON(errorMsg{V: ProtocolVersion, Type: TypeError, Code: code, About: about, Msg: msg})
}

type endedMsg struct {
	V      int    `json:"v"`
	Type   string `json:"type"`
	Reason string `json:"reason"`
}

func encodeEnded(reason string) []byte {
	return mustJSON(endedMsg{V: ProtocolVersion, Type: TypeEnded, Reason: reason})
}

type welcomeMsg struct {
	V       int      `json:"v"`
	Type    string   `json:"type"`
	Role    string   `json:"role"`
	Code    string   `json:"code"`
	Display string   `json:"display"`
	Token   string   `json:"token"`
	ID      string   `json:"id,omitempty"`
	Nick    string   `json:"nick,omitempty"`
	JoinURL string   `json:"joinURL,omitempty"`
	Cert    string   `json:"cert,omitempty"`
	QR      string   `json:"qr,omitempty"`
	Scenes  []string `json:"scenes,omitempty"`
	Gates   []string `json:"gates,omitempty"`
	Limits  *limits  `json:"limits,omitempty"`
}

type limits struct {
	Threshold    float64 `json:"threshold"`
	Bin          float64 `json:"bin"`
	MaxShares    int     `json:"maxShares"`
	MaxStudents  int     `json:"maxStudents"`
	ResumeSecs   int     `json:"resumeSeconds"`
	EmbeddingDim int     `json:"embeddingDim"`
	GatePerMin   float64 `json:"gatePerMinute"`
	GateBurst    int     `json:"gateBurst"`
	MaxGateSeen  int     `json:"maxGateSeen"`
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only fixed struct types of this file are marshalled.
		panic(fmt.Sprintf("classroom: cannot encode %T: %v", v, err))
	}
	return b
}

// JoinURL is the address a student opens to join the room with code,
// given the site's base URL ("https://host"). The code travels in the
// fragment, which browsers do not send to the server.
func JoinURL(base, code string) string {
	return base + PathJoin + "#" + FormatCode(code)
}

// QRPNG renders text as a QR code PNG (error correction level M, each
// module scale×scale pixels, with the standard 4-module quiet zone).
func QRPNG(text string, scale int) ([]byte, error) {
	if scale < 1 || scale > 32 {
		return nil, fmt.Errorf("classroom: QR scale %d out of 1..32", scale)
	}
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, fmt.Errorf("classroom: QR: %w", err)
	}
	c.Scale = scale
	return c.PNG(), nil
}

func qrDataURL(text string) string {
	png, err := QRPNG(text, 6)
	if err != nil {
		return ""
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}

func appendBool(b []byte, v bool) []byte {
	return strconv.AppendBool(b, v)
}

// appendDist appends a binned distance with two decimals (Config.Bin is
// a multiple of 0.01 in every use; finer bins print more).
func appendDist(b []byte, d float64) []byte {
	return strconv.AppendFloat(b, d, 'f', -1, 32)
}

// The room's own messages are written here by hand, appended to a reused
// buffer: the class view is rebuilt on every change of a room of up to
// hundreds of students, and encoding/json would allocate on each. Every
// string put between quotes is one the server made (IDs, codes, scene and
// gate names) or already JSON (nickJSON); distances are finite by
// construction (appendDist).

// appendState appends a student's state: the scene, whether the room is
// locked, how many are in it and how many share, and their own status and
// journey. Never another student's nickname, embedding or distance.
func (r *room) appendState(b []byte, st *student) []byte {
	n, sharing := r.counts()
	b = append(b, `{"v":1,"type":"state","scene":"`...)
	b = append(b, r.scene...)
	b = append(b, `","locked":`...)
	b = appendBool(b, r.locked)
	b = append(b, `,"students":`...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, `,"sharing":`...)
	b = strconv.AppendInt(b, int64(sharing), 10)
	b = append(b, `,"you":{"id":"`...)
	b = append(b, st.id...)
	b = append(b, `","nick":`...)
	b = append(b, st.nickJSON...)
	b = append(b, `,"shared":`...)
	b = appendBool(b, st.emb != nil)
	b = append(b, `,"rev":`...)
	b = strconv.AppendInt(b, int64(st.rev), 10)
	b = append(b, `,"journey":`...)
	b = r.appendJourney(b, st)
	b = append(b, `}}`...)
	return b
}

// appendClass appends the teacher's class view: the roster with each
// journey, the gates, and the distances between the students who share
// (upper triangle, row by row, in the order of matrix.ids), binned.
// changed names the student whose embedding just changed.
func (r *room) appendClass(b []byte, changed string) []byte {
	b = append(b, `{"v":1,"type":"class","code":"`...)
	b = append(b, r.code...)
	b = append(b, `","locked":`...)
	b = appendBool(b, r.locked)
	b = append(b, `,"scene":"`...)
	b = append(b, r.scene...)
	b = append(b, `","changed":"`...)
	b = append(b, changed...)
	b = append(b, `","students":[`...)
	for i, st := range r.students {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":"`...)
		b = append(b, st.id...)
		b = append(b, `","nick":`...)
		b = append(b, st.nickJSON...)
		b = append(b, `,"shared":`...)
		b = appendBool(b, st.emb != nil)
		b = append(b, `,"away":`...)
		b = appendBool(b, st.conn == nil)
		b = append(b, `,"journey":`...)
		b = r.appendJourney(b, st)
		b = append(b, '}')
	}
	b = append(b, `],"gates":[`...)
	for i, g := range r.gates {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":"`...)
		b = append(b, g.id...)
		b = append(b, `","gate":"`...)
		b = append(b, g.letter...)
		b = append(b, `","on":`...)
		b = appendBool(b, g.on)
		b = append(b, `,"away":`...)
		b = appendBool(b, g.conn == nil)
		b = append(b, '}')
	}
	b = append(b, `],"matrix":{"ids":[`...)
	first := true
	for _, st := range r.students {
		if st.emb == nil {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, st.id...)
		b = append(b, '"')
	}
	b = append(b, `],"d":[`...)
	first = true
	for i, a := range r.students {
		if a.emb == nil {
			continue
		}
		for _, c := range r.students[i+1:] {
			if c.emb == nil {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			if d := r.dist[key(a.num, c.num)]; d == withheld {
				b = append(b, "null"...)
			} else {
				b = appendDist(b, binDown(d, r.srv.cfg.Bin))
			}
		}
	}
	b = append(b, `]}}`...)
	return b
}

// appendGateState appends a gate's state: which gate it is, whether it
// watches, the scene and how many of its faces were taken. Nothing about
// whether any face matched anyone.
func (r *room) appendGateState(b []byte, g *gate) []byte {
	b = append(b, `{"v":1,"type":"gatestate","id":"`...)
	b = append(b, g.id...)
	b = append(b, `","gate":"`...)
	b = append(b, g.letter...)
	b = append(b, `","on":`...)
	b = appendBool(b, g.on)
	b = append(b, `,"scene":"`...)
	b = append(b, r.scene...)
	b = append(b, `","sent":`...)
	b = strconv.AppendInt(b, int64(g.sent), 10)
	b = append(b, '}')
	return b
}

// appendJourney appends a student's sightings as a JSON array:
// [{id, gate, t (Unix milliseconds), d (binned), notMe}].
func (r *room) appendJourney(b []byte, st *student) []byte {
	b = append(b, '[')
	for i := range st.journey {
		sg := &st.journey[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":"`...)
		b = append(b, sg.id...)
		b = append(b, `","gate":"`...)
		b = append(b, sg.gate...)
		b = append(b, `","t":`...)
		b = strconv.AppendInt(b, sg.at.UnixMilli(), 10)
		b = append(b, `,"d":`...)
		b = appendDist(b, sg.d)
		b = append(b, `,"notMe":`...)
		b = appendBool(b, sg.notMe)
		b = append(b, '}')
	}
	return append(b, ']')
}
