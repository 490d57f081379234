package classroom

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestNormalizeCode(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"ABCD-EFGH", "ABCDEFGH", true},
		{"abcdefgh", "ABCDEFGH", true},
		{"  abcd efgh ", "ABCDEFGH", true},
		{"ab-cd_ef.gh", "ABCDEFGH", true},
		{"2345\t6789", "23456789", true},
		{"zzzz-zzzz", "ZZZZZZZZ", true},
		{"", "", false},
		{"ABCDEFG", "", false},                                   // 7 symbols
		{"ABCDEFGHJ", "", false},                                 // 9 symbols
		{"ABCD-EFG0", "", false},                                 // zero is not in the alphabet
		{"ABCD-EFGO", "", false},                                 // nor O
		{"ABCD-EFG1", "", false},                                 // nor one
		{"ABCD-EFGI", "", false},                                 // nor I
		{"ABCD-EFGL", "", false},                                 // nor L
		{"ABCD-EFGU", "", false},                                 // nor U (Crockford)
		{"ABCD/EFGH", "", false},                                 // other punctuation
		{"ÄBCD-EFGH", "", false},                                 // non-ASCII
		{"ABCD\x00EFGH", "", false},                              // NUL
		{strings.Repeat("-", 60) + "ABCDEFGH", "", false},        // over the input cap
		{strings.Repeat(" ", 56) + "ABCDEFGH", "ABCDEFGH", true}, // exactly the cap
	}
	for _, tt := range tests {
		got, err := NormalizeCode(tt.in)
		if tt.ok {
			if err != nil || got != tt.want {
				t.Errorf("NormalizeCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if !errors.Is(err, ErrBadCode) || got != "" {
			t.Errorf("NormalizeCode(%q) = %q, %v; want ErrBadCode", tt.in, got, err)
		}
	}
}

func TestCodeAlphabetUnambiguous(t *testing.T) {
	if len(CodeAlphabet) != 30 {
		t.Fatalf("alphabet has %d symbols, want 30", len(CodeAlphabet))
	}
	for _, bad := range "01OILU" {
		if strings.ContainsRune(CodeAlphabet, bad) {
			t.Errorf("alphabet contains ambiguous %q", bad)
		}
	}
	seen := map[rune]bool{}
	for _, r := range CodeAlphabet {
		if seen[r] {
			t.Errorf("duplicate %q", r)
		}
		seen[r] = true
	}
}

func TestNewCodeUniformAndRejects(t *testing.T) {
	// Bytes 0..255 repeated: 240 of each 256 are used, so every symbol
	// must appear exactly 8 times per 240 accepted bytes.
	var src bytes.Buffer
	for i := 0; i < 30; i++ {
		for b := 0; b < 256; b++ {
			src.WriteByte(byte(b))
		}
	}
	counts := map[byte]int{}
	r := bytes.NewReader(src.Bytes())
	// 30 full cycles give 30*240 = 7200 symbols = 900 codes; each code
	// reads in 16-byte chunks, so stop before the reader runs dry.
	for i := 0; i < 400; i++ {
		c, err := newCode(r)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := NormalizeCode(c); err != nil || n != c {
			t.Fatalf("newCode gave %q, not canonical: %v", c, err)
		}
		for j := 0; j < len(c); j++ {
			counts[c[j]]++
		}
	}
	lo, hi := 1<<30, 0
	for _, s := range []byte(CodeAlphabet) {
		lo, hi = min(lo, counts[s]), max(hi, counts[s])
	}
	// 3200 symbols over 30: 106 or 107 each if uniform.
	if lo < 100 || hi > 114 {
		t.Errorf("symbol counts range %d..%d, want near 106.7", lo, hi)
	}

	// Only rejected bytes: an error, not a hang.
	if _, err := newCode(bytes.NewReader(bytes.Repeat([]byte{0xff}, 1<<16))); err == nil {
		t.Error("newCode accepted a source of only 0xff bytes")
	}
	// A source that ends.
	if _, err := newCode(bytes.NewReader([]byte{1, 2, 3})); err == nil {
		t.Error("newCode accepted a short source")
	}
}

func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"ABCD-EFGH", "abcd efgh", "", "0000-0000", "ABCDEFGHJ", "ab-cd_ef.gh", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeCode(s)
		if err != nil {
			if !errors.Is(err, ErrBadCode) || got != "" {
				t.Fatalf("error %v with result %q", err, got)
			}
			return
		}
		if len(got) != CodeLen {
			t.Fatalf("NormalizeCode(%q) = %q: wrong length", s, got)
		}
		for i := 0; i < len(got); i++ {
			if strings.IndexByte(CodeAlphabet, got[i]) < 0 {
				t.Fatalf("NormalizeCode(%q) = %q: symbol outside the alphabet", s, got)
			}
		}
		// Canonical forms are fixed points, displayed or not.
		for _, again := range []string{got, FormatCode(got), strings.ToLower(FormatCode(got))} {
			if g2, err := NormalizeCode(again); err != nil || g2 != got {
				t.Fatalf("NormalizeCode(%q) = %q, %v; want %q", again, g2, err, got)
			}
		}
	})
}

func ExampleNormalizeCode() {
	code, err := NormalizeCode(" k7mx-q9pz ")
	fmt.Println(code, err)
	fmt.Println(FormatCode(code))
	_, err = NormalizeCode("K7MX-Q9P0")
	fmt.Println(err)
	// Output:
	// K7MXQ9PZ <nil>
	// K7MX-Q9PZ
	// classroom: not a join code: symbol '0' not in the alphabet
}

func ExampleJoinURL() {
	fmt.Println(JoinURL("https://facewatch.example", "K7MXQ9PZ"))
	// Output: https://facewatch.example/classroom/join.html#K7MX-Q9PZ
}
