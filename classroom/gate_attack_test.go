package classroom

import (
	"math"
	"testing"
	"time"

	"github.com/facewatch/facewatch/facelib/match"
)

// The reconstruction attack again, through gates: a room's creator runs
// two gate devices and feeds them vectors of their choosing, and reads the
// sightings of the victim (with their binned distances) on the class view.
// The attacker's probes start from the average of the other faces, which
// is within 0.6 of most victims, so that probes do match, and step along
// each axis by 0.05, 0.2 and 0.4; the two gates take turns, so that no
// sighting is folded into the one before (the same gate within a minute),
// and the clock moves on between probes, so that no probe is refused for
// the gate's rate. What limits the attacker is what limits shares: the
// plausibility check, the victim's 40 comparisons and the bins of 0.05.
// The room's events are driven directly (as in the hub tests): the
// attacker's view is the teacher's class snapshot after each probe.
func TestGateAttackGainsLittle(t *testing.T) {
	faces := loadFaces(t)
	clock := newFakeClock()
	s := newHubServer(t, Config{Now: clock.Now})
	cfg := s.cfg
	const maxGain = 0.1
	worstGain := 0.0
	for vi := range faces {
		victim := faces[vi].Embedding
		prior, pv := leaveOneOut(faces, vi)
		dPrior := dist64(prior, victim)

		tc := fakeConn(s)
		r, _, err := s.createRoom(tc)
		if err != nil {
			t.Fatal(err)
		}
		vc := fakeConn(s)
		hubJoin(t, r, vc, "Victim")
		v := victim
		r.post(event{kind: evMsg, c: vc, msg: Message{Type: TypeShare, Embedding: &v}})
		gates := []*conn{fakeConn(s), fakeConn(s)}
		for i, gc := range gates {
			reply := make(chan []byte, 1)
			r.post(event{kind: evGate, c: gc, msg: Message{Type: TypeGate, Code: r.code}, reply: reply})
			if refusal := <-reply; refusal != nil {
				t.Fatalf("gate refused: %s", refusal)
			}
			r.post(event{kind: evMsg, c: tc, msg: Message{Type: TypeAssign, ID: "g" + string(rune('1'+i)), Gate: Gates[i]}})
			r.post(event{kind: evMsg, c: gc, msg: Message{Type: TypeWatch, On: true}})
		}
		settle(t, r)

		var probes []match.Embedding
		for _, step := range []float32{0.05, 0.2, 0.4} {
			ps, _, _ := axisProbes(prior, step)
			for _, p := range ps {
				if Plausible(&p) == nil { // what Decode would let through
					probes = append(probes, p)
				}
			}
		}
		var seen []probeOutcome
		sightings := 0
		for i, p := range probes {
			if i >= cfg.MaxGateSeen {
				break
			}
			clock.Advance(3*time.Second + time.Millisecond)
			face := p
			gc := gates[i%2]
			r.post(event{kind: evMsg, c: gc, msg: Message{Type: TypeSeen, Embedding: &face}})
			settle(t, r)
			gc.events() // refusals, if any, are read
			j := journeyOf(t, tc.snapshot(), "Victim")
			if len(j) > sightings {
				sightings = len(j)
				seen = append(seen, probeOutcome{probe: p, d: j[len(j)-1].num("d")})
			}
		}
		if len(seen) > cfg.MaxCompared {
			t.Errorf("victim %d: %d distances through gates, cap %d", vi, len(seen), cfg.MaxCompared)
		}
		for _, o := range seen {
			if k := math.Round(o.d / cfg.Bin); math.Abs(o.d-k*cfg.Bin) > 1e-6 {
				t.Errorf("distance %v is not a multiple of %v", o.d, cfg.Bin)
			}
		}
		dLS := dist64(lsReconstruct(seen, prior, pv, cfg.Bin), victim)
		gain := dPrior - dLS
		worstGain = max(worstGain, gain)
		if testing.Verbose() {
			t.Logf("victim %d: %d probes, %d sightings with a distance; least squares %.3f from the victim (average face %.3f)", vi, min(len(probes), cfg.MaxGateSeen), len(seen), dLS, dPrior)
		}
		if gain > maxGain {
			t.Errorf("victim %d: gates brought the attacker %.3f closer than the average face (%.3f → %.3f), more than %.2f", vi, gain, dPrior, dLS, maxGain)
		}
		r.post(event{kind: evMsg, c: tc, msg: Message{Type: TypeEnd}})
		<-r.done
	}
	t.Logf("through gates, least squares at most %.3f closer than the average face", worstGain)
}
