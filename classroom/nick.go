package classroom

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Nicknames are what the projector shows, so two must never look alike:
// NormalizeNick brings a nickname to one form (NFKC: "e" + U+0301 and "é"
// are the same name, full-width letters are letters) and refuses anything
// invisible or made only of marks; NickSkeleton maps it to a key under
// which look-alikes ("Alice", Cyrillic "Аlice", "ALICE", "A1ice") collide,
// and the room keeps nicknames unique by that key.

// maxMarks is the most combining marks one base character may carry:
// enough for Vietnamese or Devanagari, too few to smear text over its
// neighbours.
const maxMarks = 3

// invisible reports runes that print nothing, or nothing distinguishable,
// though some are letters by category: the Hangul fillers, variation
// selectors, the combining grapheme joiner and every other default-
// ignorable code point.
func invisible(r rune) bool {
	switch r {
	case 0x115F, 0x1160, 0x3164, 0xFFA0, 0x034F, 0x180E, 0x2800:
		return true
	}
	return unicode.Is(unicode.Variation_Selector, r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Cf, r)
}

func isMark(r rune) bool {
	return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || unicode.Is(unicode.Me, r)
}

// NormalizeNick trims a nickname, collapses runs of spaces and brings it to
// Unicode NFKC, then checks it: 1 to MaxNickRunes characters, each a
// letter, a digit, a combining mark following a letter or digit (at most
// maxMarks in a row), a space or one of - _ . ', with at least one letter
// or digit; nothing invisible (Hangul fillers, variation selectors, joiners,
// formatting such as bidirectional overrides), no control or symbol
// character. It returns ErrBadNick otherwise.
func NormalizeNick(s string) (string, error) {
	if len(s) > 4*MaxNickRunes+16 || !utf8.ValidString(s) {
		return "", ErrBadNick
	}
	s = norm.NFKC.String(s)
	var b strings.Builder
	n, marks, solid := 0, 0, 0
	space := false
	prevBase := false // the previous rune is a letter, digit or mark
	for _, r := range strings.TrimSpace(s) {
		if invisible(r) {
			return "", ErrBadNick
		}
		switch {
		case r == ' ':
			space = true
			prevBase = false
			continue
		case isMark(r):
			if !prevBase || marks == maxMarks {
				return "", ErrBadNick
			}
			marks++
		case unicode.IsLetter(r), unicode.IsDigit(r):
			marks = 0
			solid++
			prevBase = true
		case r == '-', r == '_', r == '.', r == '\'':
			marks = 0
			prevBase = false
		default:
			return "", ErrBadNick
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
		if n > MaxNickRunes {
			return "", ErrBadNick
		}
	}
	if solid == 0 {
		return "", ErrBadNick
	}
	return b.String(), nil
}

// confusable maps characters (after lower-casing and NFKD) to the Latin
// letter they are mistaken for, in the spirit of the skeletons of Unicode
// Technical Standard #39: Cyrillic and Greek look-alikes, and the digits
// and letters that pass for each other on a projector.
var confusable = map[rune]rune{
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'һ': 'h', 'і': 'l', 'ї': 'l', 'ј': 'j', 'к': 'k', 'м': 'm',
	'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'ԁ': 'd',
	'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l', 'ɡ': 'g', 'ь': 'b', 'п': 'n', 'г': 'r', 'з': '3', 'ч': '4',
	// Greek
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'l', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p',
	'τ': 't', 'υ': 'u', 'χ': 'x', 'γ': 'y', 'ω': 'w', 'μ': 'u', 'ϲ': 'c', 'ϳ': 'j',
	// Latin and digits
	'ı': 'l', 'i': 'l', '1': 'l', '|': 'l', '0': 'o', '5': 's', 'ß': 's', 'ſ': 'f',
	'ɑ': 'a', 'ɩ': 'l', 'ʟ': 'l', 'ᴅ': 'd', 'ᴠ': 'v', 'ᴡ': 'w', 'ᴢ': 'z', '\'': '\'',
	'_': '-', '.': '-', '-': '-',
}

// NickSkeleton is the key under which two nicknames count as the same in a
// room: the NFKD form of the lower-cased name without its combining marks
// or spaces, each character mapped by the confusables table, and "rn"
// read as "m" and "vv" as "w". "Alice", "ALICE", "Аlice" (Cyrillic А),
// "A l i c e", "Alicé" and "A1ice" share one skeleton.
func NickSkeleton(nick string) string {
	d := norm.NFKD.String(strings.ToLower(nick))
	var b strings.Builder
	for _, r := range d {
		if isMark(r) || r == ' ' || invisible(r) {
			continue
		}
		r = unicode.ToLower(r)
		if c, ok := confusable[r]; ok {
			r = c
		}
		b.WriteRune(r)
	}
	k := b.String()
	k = strings.ReplaceAll(k, "rn", "m")
	k = strings.ReplaceAll(k, "vv", "w")
	return k
}
