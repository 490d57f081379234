package classroom

// What a room holds, in numbers, read on the room's goroutine (evDo): the
// tests' view of the server's memory.

// roomView is what a room holds, in numbers, for tests.
type roomView struct {
	Students, Connected, Embeddings, Distances int
	Gates, Sightings, GateSeen                 int
	Teacher, Locked                            bool
	Scene                                      string
}

// view counts what r holds.
func (r *room) view() roomView {
	v := roomView{Students: len(r.students), Distances: len(r.dist), Teacher: r.teacher != nil, Locked: r.locked, Scene: r.scene,
		Gates: len(r.gates), GateSeen: r.gateSeen}
	for _, st := range r.students {
		v.Sightings += len(st.journey)
		if st.conn != nil {
			v.Connected++
		}
		if st.emb != nil {
			v.Embeddings++
		}
	}
	return v
}
