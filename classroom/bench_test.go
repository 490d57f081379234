package classroom

import (
	"fmt"
	"testing"

	"github.com/facewatch/facewatch/facelib/match"
)

func BenchmarkDecodeShare(b *testing.B) {
	e := testEmbedding(1, 0.02, 1)
	data := []byte(fmt.Sprintf(`{"v":1,"type":"share","embedding":%s}`, embArray(e)))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func embArray(e match.Embedding) string {
	s := "["
	for i, x := range e {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprintf("%.6f", x)
	}
	return s + "]"
}

func BenchmarkNormalizeCode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NormalizeCode("k7mx-q9pz"); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRoom builds a room of n sharing students without a goroutine or
// sockets, for the room's own work.
func benchRoom(b *testing.B, n int) (*room, []*student) {
	s, err := New(Config{Rand: seededRand(1)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Shutdown(b.Context()) })
	tc := fakeConn(s)
	r := newRoom(s, "K7MXQ9PZ", "K7MXQ9PZ.AAAAAAAAAAAAAAAAAAAAAA", tc)
	for i := 0; i < n; i++ {
		c := fakeConn(s)
		r.join(c, fmt.Sprintf("Student %d", i), "", s.now())
		e := testEmbedding(i, 0.02, 1)
		r.message(c, Message{Type: TypeShare, Embedding: &e}, s.now())
		for len(c.send) > 0 {
			<-c.send
		}
	}
	return r, r.students
}

// BenchmarkShareUpdate40 is what one student's update costs the room in a
// class of 40: 39 distances, the student's state and the teacher's class
// snapshot (780 distances).
func BenchmarkShareUpdate40(b *testing.B) {
	r, st := benchRoom(b, 40)
	e := testEmbedding(99, 0.02, 1)
	m := Message{Type: TypeShare, Embedding: &e}
	c := st[7].conn
	b.ReportAllocs()
	for b.Loop() {
		r.message(c, m, r.created)
	}
}

func BenchmarkClassSnapshot40(b *testing.B) {
	r, _ := benchRoom(b, 40)
	b.ReportAllocs()
	for b.Loop() {
		r.pushClass("s1")
	}
	b.SetBytes(int64(len(r.buf)))
}

func BenchmarkDistance(b *testing.B) {
	x, y := testEmbedding(1, 0, 0), testEmbedding(2, 0, 0)
	var sink float32
	for b.Loop() {
		sink += distance(&x, &y)
	}
	_ = sink
}
