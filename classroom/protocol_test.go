package classroom

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// embJSON returns a JSON array of n numbers, the i-th being f(i).
func embJSON(n int, f func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = f(i)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestDecodeValid(t *testing.T) {
	emb := embJSON(128, func(i int) string { return fmt.Sprintf("%.6f", float64(i-64)/500) })
	tests := []struct {
		in   string
		want Message
	}{
		{`{"v":1,"type":"create"}`, Message{Type: TypeCreate}},
		{` {"type":"create","v":1} `, Message{Type: TypeCreate}},
		{`{"v":1,"type":"join","code":"abcd-efgh","nick":"  Mina  Kim "}`, Message{Type: TypeJoin, Code: "ABCDEFGH", Nick: "Mina Kim", NickKey: NickSkeleton("Mina Kim")}},
		{`{"v":1,"type":"join","code":"ABCDEFGH","nick":"민아"}`, Message{Type: TypeJoin, Code: "ABCDEFGH", Nick: "민아", NickKey: NickSkeleton("민아")}},
		{`{"v":1,"type":"resume","token":"ABCDEFGH.AAAAAAAAAAAAAAAAAAAAAA"}`, Message{Type: TypeResume, Token: "ABCDEFGH.AAAAAAAAAAAAAAAAAAAAAA"}},
		{`{"v":1,"type":"withdraw"}`, Message{Type: TypeWithdraw}},
		{`{"v":1,"type":"leave"}`, Message{Type: TypeLeave}},
		{`{"v":1,"type":"lock","locked":true}`, Message{Type: TypeLock, Locked: true}},
		{`{"v":1,"type":"lock","locked":false}`, Message{Type: TypeLock}},
		{`{"v":1,"type":"remove","id":"s12"}`, Message{Type: TypeRemove, ID: "s12"}},
		{`{"v":1,"type":"scene","scene":"threshold"}`, Message{Type: TypeScene, Scene: SceneThreshold}},
		{`{"v":1,"type":"end"}`, Message{Type: TypeEnd}},
		{`{"v":1,"type":"gate","code":"abcd-efgh"}`, Message{Type: TypeGate, Code: "ABCDEFGH"}},
		{`{"v":1,"type":"assign","id":"g2","gate":"B"}`, Message{Type: TypeAssign, ID: "g2", Gate: "B"}},
		{`{"v":1,"type":"watch","on":true}`, Message{Type: TypeWatch, On: true}},
		{`{"v":1,"type":"watch","on":false}`, Message{Type: TypeWatch}},
		{`{"v":1,"type":"notme","sighting":"x7"}`, Message{Type: TypeNotMe, Sighting: "x7"}},
		{`{"v":1,"type":"remove","id":"g3"}`, Message{Type: TypeRemove, ID: "g3"}},
		{`{"v":1,"type":"scene","scene":"gates"}`, Message{Type: TypeScene, Scene: SceneGates}},
	}
	for _, tt := range tests {
		got, err := Decode([]byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("Decode(%s) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	m, err := Decode([]byte(`{"v":1,"type":"share","embedding":` + emb + `}`))
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range m.Embedding {
		if want := float32(float64(i-64) / 500); x != want {
			t.Fatalf("embedding[%d] = %v, want %v", i, x, want)
		}
	}
}

func TestDecodeInvalid(t *testing.T) {
	good := embJSON(128, func(int) string { return "0.1" })
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", ``, ErrBadMessage},
		{"not JSON", `hello`, ErrBadMessage},
		{"array", `[1,2]`, ErrBadMessage},
		{"null", `null`, ErrBadMessage},
		{"two objects", `{"v":1,"type":"end"}{"v":1,"type":"end"}`, ErrBadMessage},
		{"trailing garbage", `{"v":1,"type":"end"} x`, ErrBadMessage},
		{"no v", `{"type":"end"}`, ErrBadMessage},
		{"v 2", `{"v":2,"type":"end"}`, ErrVersion},
		{"v string", `{"v":"1","type":"end"}`, ErrVersion},
		{"v float", `{"v":1.5,"type":"end"}`, ErrVersion},
		{"no type", `{"v":1}`, ErrBadMessage},
		{"type number", `{"v":1,"type":3}`, ErrBadMessage},
		{"type null", `{"v":1,"type":null}`, ErrBadMessage},
		{"unknown type", `{"v":1,"type":"emotion"}`, ErrUnknownType},
		{"server type", `{"v":1,"type":"class"}`, ErrUnknownType},
		{"upper-case key", `{"V":1,"type":"end"}`, ErrBadMessage},
		{"upper-case type key", `{"v":1,"TYPE":"end"}`, ErrBadMessage},
		{"extra field", `{"v":1,"type":"end","x":1}`, ErrBadMessage},
		{"field of another type", `{"v":1,"type":"end","scene":"lobby"}`, ErrBadMessage},
		{"missing field", `{"v":1,"type":"join","code":"ABCDEFGH"}`, ErrBadMessage},
		{"bad code", `{"v":1,"type":"join","code":"ABCDEFG0","nick":"a"}`, ErrBadCode},
		{"code number", `{"v":1,"type":"join","code":12345678,"nick":"a"}`, ErrBadMessage},
		{"empty nick", `{"v":1,"type":"join","code":"ABCDEFGH","nick":"  "}`, ErrBadNick},
		{"nick html", `{"v":1,"type":"join","code":"ABCDEFGH","nick":"<b>x</b>"}`, ErrBadNick},
		{"nick bidi", `{"v":1,"type":"join","code":"ABCDEFGH","nick":"a\u202eb"}`, ErrBadNick},
		{"nick too long", `{"v":1,"type":"join","code":"ABCDEFGH","nick":"` + strings.Repeat("a", 25) + `"}`, ErrBadNick},
		{"nick null", `{"v":1,"type":"join","code":"ABCDEFGH","nick":null}`, ErrBadMessage},
		{"token short", `{"v":1,"type":"resume","token":"ABCDEFGH.AAAA"}`, ErrBadMessage},
		{"token bad code", `{"v":1,"type":"resume","token":"ABCDEFG0.AAAAAAAAAAAAAAAAAAAAAA"}`, ErrBadMessage},
		{"token bad char", `{"v":1,"type":"resume","token":"ABCDEFGH.AAAAAAAAAAAAAAAAAAAAA="}`, ErrBadMessage},
		{"locked string", `{"v":1,"type":"lock","locked":"yes"}`, ErrBadMessage},
		{"locked null", `{"v":1,"type":"lock","locked":null}`, ErrBadMessage},
		{"id malformed", `{"v":1,"type":"remove","id":"teacher"}`, ErrBadMessage},
		{"id leading zero", `{"v":1,"type":"remove","id":"s01"}`, ErrBadMessage},
		{"unknown scene", `{"v":1,"type":"scene","scene":"emotions"}`, ErrBadMessage},
		{"embedding null", `{"v":1,"type":"share","embedding":null}`, ErrBadEmbedding},
		{"embedding short", `{"v":1,"type":"share","embedding":` + embJSON(127, func(int) string { return "0.1" }) + `}`, ErrBadEmbedding},
		{"embedding long", `{"v":1,"type":"share","embedding":` + embJSON(129, func(int) string { return "0.1" }) + `}`, ErrBadEmbedding},
		// NaN is not JSON: the parser refuses it before the range check.
		{"embedding NaN", `{"v":1,"type":"share","embedding":` + embJSON(128, func(i int) string {
			if i == 7 {
				return "NaN"
			}
			return "0.1"
		}) + `}`, ErrBadMessage},
		{"embedding huge", `{"v":1,"type":"share","embedding":` + embJSON(128, func(i int) string {
			if i == 7 {
				return "1e999"
			}
			return "0.1"
		}) + `}`, ErrBadEmbedding},
		{"embedding out of range", `{"v":1,"type":"share","embedding":` + embJSON(128, func(i int) string {
			if i == 127 {
				return "-1001"
			}
			return "0.1"
		}) + `}`, ErrImplausible},
		{"embedding null element", `{"v":1,"type":"share","embedding":` + embJSON(128, func(i int) string {
			if i == 5 {
				return "null"
			}
			return "0.1"
		}) + `}`, ErrBadEmbedding},
		{"embedding one large step", `{"v":1,"type":"share","embedding":` + embJSON(128, func(i int) string {
			if i == 5 {
				return "0.7"
			}
			return "0.1"
		}) + `}`, ErrImplausible},
		{"embedding too short", `{"v":1,"type":"share","embedding":` + embJSON(128, func(int) string { return "0.01" }) + `}`, ErrImplausible},
		{"embedding too long", `{"v":1,"type":"share","embedding":` + embJSON(128, func(int) string { return "0.25" }) + `}`, ErrImplausible},
		{"embedding strings", `{"v":1,"type":"share","embedding":` + embJSON(128, func(int) string { return `"0.1"` }) + `}`, ErrBadEmbedding},
		{"embedding object", `{"v":1,"type":"share","embedding":{"0":1}}`, ErrBadEmbedding},
		{"share with image", `{"v":1,"type":"share","embedding":` + good + `,"image":"data:image/png;base64,AAAA"}`, ErrBadMessage},
		{"too big", `{"v":1,"type":"end","pad":"` + strings.Repeat("x", MaxMessageBytes) + `"}`, ErrBadMessage},
		{"not UTF-8", "{\"v\":1,\"type\":\"end\xff\"}", ErrBadMessage},
		{"gate without code", `{"v":1,"type":"gate"}`, ErrBadMessage},
		{"gate bad code", `{"v":1,"type":"gate","code":"ABCDEFG0"}`, ErrBadCode},
		{"gate with nick", `{"v":1,"type":"gate","code":"ABCDEFGH","nick":"A"}`, ErrBadMessage},
		{"assign student id", `{"v":1,"type":"assign","id":"s1","gate":"A"}`, ErrBadMessage},
		{"assign gate D", `{"v":1,"type":"assign","id":"g1","gate":"D"}`, ErrBadMessage},
		{"assign gate lower case", `{"v":1,"type":"assign","id":"g1","gate":"a"}`, ErrBadMessage},
		{"assign gate null", `{"v":1,"type":"assign","id":"g1","gate":null}`, ErrBadMessage},
		{"watch string", `{"v":1,"type":"watch","on":"yes"}`, ErrBadMessage},
		{"watch null", `{"v":1,"type":"watch","on":null}`, ErrBadMessage},
		{"seen null", `{"v":1,"type":"seen","embedding":null}`, ErrBadEmbedding},
		{"seen short", `{"v":1,"type":"seen","embedding":` + embJSON(127, func(int) string { return "0.1" }) + `}`, ErrBadEmbedding},
		{"seen one large step", `{"v":1,"type":"seen","embedding":` + embJSON(128, func(i int) string {
			if i == 5 {
				return "0.7"
			}
			return "0.1"
		}) + `}`, ErrImplausible},
		{"seen with image", `{"v":1,"type":"seen","embedding":` + good + `,"image":"AAAA"}`, ErrBadMessage},
		{"seen with distance", `{"v":1,"type":"seen","embedding":` + good + `,"d":0.3}`, ErrBadMessage},
		{"notme student id", `{"v":1,"type":"notme","sighting":"s1"}`, ErrBadMessage},
		{"notme number", `{"v":1,"type":"notme","sighting":3}`, ErrBadMessage},
		{"server gatestate", `{"v":1,"type":"gatestate"}`, ErrUnknownType},
	}
	for _, tt := range tests {
		m, err := Decode([]byte(tt.in))
		if !errors.Is(err, tt.want) || !errors.Is(err, ErrBadMessage) {
			t.Errorf("%s: Decode = %+v, %v; want %v", tt.name, m, err, tt.want)
		}
		if err != nil && m != (Message{}) {
			t.Errorf("%s: error with non-zero message %+v", tt.name, m)
		}
	}
}

func TestNormalizeNick(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Mina", "Mina"},
		{"  Mina   Kim  ", "Mina Kim"},
		{"O'Brien-Smith_2.", "O'Brien-Smith_2."},
		{"김민아", "김민아"},
		{"José", "José"},
		{"e\u0301", "\u00e9"},   // combining accent, composed (NFC)
		{"\uff21lice", "Alice"}, // full-width A (NFKC)
		{"Alice\ufe0f", ""},     // variation selector
		{"Alice\u034f", ""},     // combining grapheme joiner
		{"\u3164", ""},          // Hangul filler, a "letter" that prints nothing
		{"\uffa0", ""},          // half-width Hangul filler
		{"A\u3164B", ""},
		{"\u0301\u0301", ""},                    // marks only
		{"-\u0301", ""},                         // a mark on punctuation
		{"a\u0301\u0301\u0301\u0301\u0301", ""}, // too many marks
		{"...", ""},                             // no letter or digit
		{"a\u2066b", ""},                        // bidi isolate
		{strings.Repeat("가", 24), strings.Repeat("가", 24)},
		{strings.Repeat("가", 25), ""},
		{"", ""},
		{"a\tb", ""},
		{"a\nb", ""},
		{"a<b", ""},
		{"a\"b", ""},
		{"a\\b", ""},
		{"🙂", ""},
		{"a\u200bb", ""}, // zero-width space (format)
		{"\xff", ""},
	}
	for _, tt := range tests {
		got, err := NormalizeNick(tt.in)
		if tt.want == "" {
			if !errors.Is(err, ErrBadNick) {
				t.Errorf("NormalizeNick(%q) = %q, %v; want ErrBadNick", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeNick(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	emb := embJSON(128, func(i int) string { return fmt.Sprintf("%.5f", math.Sin(float64(i))/4) })
	for _, s := range []string{
		`{"v":1,"type":"create"}`,
		`{"v":1,"type":"join","code":"abcd-efgh","nick":"Mina"}`,
		`{"v":1,"type":"resume","token":"ABCDEFGH.AAAAAAAAAAAAAAAAAAAAAA"}`,
		`{"v":1,"type":"share","embedding":` + emb + `}`,
		`{"v":1,"type":"share","embedding":[NaN]}`,
		`{"v":1,"type":"lock","locked":true}`,
		`{"v":1,"type":"remove","id":"s3"}`,
		`{"v":1,"type":"scene","scene":"scale"}`,
		`{"v":1,"type":"gate","code":"ABCD-EFGH"}`,
		`{"v":1,"type":"assign","id":"g1","gate":"C"}`,
		`{"v":1,"type":"watch","on":true}`,
		`{"v":1,"type":"seen","embedding":` + emb + `}`,
		`{"v":1,"type":"notme","sighting":"x12"}`,
		`{"v":1,"type":"end","v":2}`,
		`{"v":1e0,"type":"end"}`,
		`[]`, `null`, `{}`, "\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			if !errors.Is(err, ErrBadMessage) {
				t.Fatalf("error %v does not wrap ErrBadMessage", err)
			}
			if m != (Message{}) {
				t.Fatalf("error with message %+v", m)
			}
			return
		}
		if _, ok := typeFields[m.Type]; !ok {
			t.Fatalf("accepted unknown type %q", m.Type)
		}
		switch m.Type {
		case TypeShare, TypeSeen:
			if m.Embedding == nil {
				t.Fatal("share without embedding")
			}
			if err := Plausible(m.Embedding); err != nil {
				t.Fatalf("accepted implausible numbers: %v", err)
			}
			for _, x := range m.Embedding {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) || math.Abs(float64(x)) > MaxComponent {
					t.Fatalf("accepted component %v", x)
				}
			}
		case TypeJoin:
			if c, err := NormalizeCode(m.Code); err != nil || c != m.Code {
				t.Fatalf("accepted code %q", m.Code)
			}
			if n, err := NormalizeNick(m.Nick); err != nil || n != m.Nick {
				t.Fatalf("accepted nick %q", m.Nick)
			}
		case TypeResume:
			if !validToken(m.Token) {
				t.Fatalf("accepted token %q", m.Token)
			}
		case TypeGate:
			if c, err := NormalizeCode(m.Code); err != nil || c != m.Code {
				t.Fatalf("accepted code %q", m.Code)
			}
		case TypeAssign:
			if !validMemberID(m.ID, 'g') || !validGate(m.Gate) {
				t.Fatalf("accepted assign %+v", m)
			}
		case TypeNotMe:
			if !validMemberID(m.Sighting, 'x') {
				t.Fatalf("accepted sighting %q", m.Sighting)
			}
		case TypeScene:
			if !validScene(m.Scene) {
				t.Fatalf("accepted scene %q", m.Scene)
			}
		}
		// An accepted message is valid JSON.
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
	})
}

func ExampleDecode() {
	m, err := Decode([]byte(`{"v":1,"type":"join","code":"k7mx q9pz","nick":" Mina "}`))
	fmt.Printf("%s %s %q %v\n", m.Type, m.Code, m.Nick, err)
	_, err = Decode([]byte(`{"v":1,"type":"share","embedding":[0.1,0.2]}`))
	fmt.Println(err)
	// Output:
	// join K7MXQ9PZ "Mina" <nil>
	// classroom: bad message: share: classroom: embedding must be 128 finite numbers: got 2 numbers
}
