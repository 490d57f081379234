package classroom

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// CodeAlphabet is the set of symbols a join code is made of: Crockford's
// base-32 digits without 0 and 1, so that none of 0/O, 1/I/L can be confused
// (Crockford already leaves out I, L, O and U). 30 symbols; 8 of them give
// 30^8 ≈ 6.6·10^11 codes (39 bits).
const CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// CodeLen is the number of symbols in a join code.
const CodeLen = 8

// maxCodeInput bounds what NormalizeCode looks at: a typed code with
// separators is at most a few dozen bytes.
const maxCodeInput = 64

// ErrBadCode is returned by NormalizeCode for input that cannot be a join
// code (wrong length or a symbol outside CodeAlphabet).
var ErrBadCode = errors.New("classroom: not a join code")

// NormalizeCode turns what a person typed (or a QR link carried) into the
// canonical join code: upper case, with spaces, dashes, dots and underscores
// removed. It accepts lower case. It returns ErrBadCode if what is left is
// not CodeLen symbols of CodeAlphabet.
func NormalizeCode(s string) (string, error) {
	if len(s) > maxCodeInput {
		return "", fmt.Errorf("%w: too long", ErrBadCode)
	}
	var b [CodeLen]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-' || c == '.' || c == '_' || c == '\t':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		if strings.IndexByte(CodeAlphabet, c) < 0 {
			return "", fmt.Errorf("%w: symbol %q not in the alphabet", ErrBadCode, c)
		}
		if n == CodeLen {
			return "", fmt.Errorf("%w: more than %d symbols", ErrBadCode, CodeLen)
		}
		b[n] = c
		n++
	}
	if n != CodeLen {
		return "", fmt.Errorf("%w: %d symbols, want %d", ErrBadCode, n, CodeLen)
	}
	return string(b[:]), nil
}

// FormatCode groups a canonical code for reading aloud and display:
// "ABCD-EFGH". Anything that is not a canonical code is returned unchanged.
func FormatCode(code string) string {
	if len(code) != CodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// newCode draws a uniformly random code from r by rejection sampling (bytes
// ≥ 240 are discarded so that every symbol has the same probability).
func newCode(r io.Reader) (string, error) {
	const limit = 256 - 256%len(CodeAlphabet) // 240
	var out [CodeLen]byte
	var buf [16]byte
	n := 0
	for tries := 0; n < CodeLen; tries++ {
		if tries > 64 {
			return "", errors.New("classroom: random source keeps returning unusable bytes")
		}
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", fmt.Errorf("classroom: reading randomness: %w", err)
		}
		for _, x := range buf {
			if int(x) >= limit {
				continue
			}
			out[n] = CodeAlphabet[int(x)%len(CodeAlphabet)]
			n++
			if n == CodeLen {
				break
			}
		}
	}
	return string(out[:]), nil
}
