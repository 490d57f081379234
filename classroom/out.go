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
