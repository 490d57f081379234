package classroom

import (
	"testing"
	"unicode/utf8"
)

func TestNickSkeleton(t *testing.T) {
	same := [][]string{
		{"Alice", "alice", "ALICE", "\u0410lice", "A1ice", "AIice", "Al ice", "Alicé"},
		{"José", "Jose\u0301", "JOSE"},
		{"Mina", "Мina", "Mіna"}, // Cyrillic М, Cyrillic і
		{"rnoon", "moon"},
		{"김민아", "김민아"},
	}
	for _, group := range same {
		var want string
		for i, in := range group {
			n, err := NormalizeNick(in)
			if err != nil {
				t.Fatalf("NormalizeNick(%q): %v", in, err)
			}
			k := NickSkeleton(n)
			if i == 0 {
				want = k
			} else if k != want {
				t.Errorf("skeleton of %q = %q, of %q = %q; want the same", in, k, group[0], want)
			}
		}
	}
	differ := [][2]string{{"Alice", "Alina"}, {"Mina", "Minh"}, {"김민아", "김민수"}, {"Bob", "Rob"}}
	for _, p := range differ {
		if NickSkeleton(p[0]) == NickSkeleton(p[1]) {
			t.Errorf("%q and %q share a skeleton", p[0], p[1])
		}
	}
}

func FuzzNormalizeNick(f *testing.F) {
	for _, s := range []string{"Mina", "e\u0301", "\u3164", "A\ufe0fB", "  a  b ", "\u0301", "ｆｕｌｌ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeNick(s)
		if err != nil {
			return
		}
		if !utf8.ValidString(n) || utf8.RuneCountInString(n) > MaxNickRunes || n == "" {
			t.Fatalf("NormalizeNick(%q) = %q", s, n)
		}
		// Normal form is a fixed point.
		if n2, err := NormalizeNick(n); err != nil || n2 != n {
			t.Fatalf("NormalizeNick(%q) = %q, again %q, %v", s, n, n2, err)
		}
		for _, r := range n {
			if invisible(r) {
				t.Fatalf("NormalizeNick(%q) = %q keeps invisible %U", s, n, r)
			}
		}
		_ = NickSkeleton(n)
	})
}
