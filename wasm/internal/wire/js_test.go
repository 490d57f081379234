package wire

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The page decodes the same messages with playground/js/wire.js. Run it
// under Node (when installed) on a Go-encoded message and compare.
func TestJavaScriptDecoderAgrees(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	js, err := filepath.Abs(filepath.Join("..", "..", "..", "playground", "js", "wire.js"))
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "msg.bin")
	want := sample()
	if err := os.WriteFile(in, floatsToBytes(want.Append(nil)), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `
const { decode } = await import(process.argv[1]);
const b = (await import('node:fs')).readFileSync(process.argv[2]);
const r = decode(new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4));
r.embedding = r.embedding ? Array.from(r.embedding) : null;
console.log(JSON.stringify(r));`
	out, err := exec.Command(node, "--input-type=module", "-e", script, "file://"+js, in).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got struct {
		Seq, Width, Height, Flags float64
		In, Out                   float64
		Timings                   struct{ Detect, Total float64 }
		Sweep                     struct{ MinSize, MaxSize float64 }
		Candidates                []struct{ X, Y, Size, Q float64 }
		Faces                     []struct {
			X, Y, W, H, Score float64
			Left, Right       *struct{ X, Y float64 }
			Landmarks         []struct{ X, Y float64 }
		}
		Tracks []struct {
			ID, X, Y, W, H, State, Age float64
			Trail                      []struct{ X, Y float64 }
		}
		Embedding []float64
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	eq := func(name string, a float64, b float32) {
		if math.Abs(a-float64(b)) > 1e-6 {
			t.Errorf("%s: js %v, go %v", name, a, b)
		}
	}
	eq("seq", got.Seq, float32(want.Seq))
	eq("width", got.Width, float32(want.Width))
	eq("flags", got.Flags, float32(want.Flags))
	eq("in", got.In, float32(want.In))
	eq("detect", got.Timings.Detect, want.Timings.Detect)
	eq("min size", got.Sweep.MinSize, float32(want.Sweep.MinSize))
	if len(got.Candidates) != len(want.Candidates) || len(got.Faces) != len(want.Faces) || len(got.Tracks) != len(want.Tracks) || len(got.Embedding) != len(want.Embedding) {
		t.Fatalf("counts differ: %s", out)
	}
	eq("candidate q", got.Candidates[1].Q, want.Candidates[1].Q)
	f, wf := got.Faces[0], want.Faces[0]
	eq("face x", f.X, wf.X)
	eq("face score", f.Score, wf.Score)
	eq("pupil", f.Right.X, wf.Right.X)
	eq("landmark", f.Landmarks[1].Y, wf.Landmarks[1].Y)
	if got.Faces[1].Left != nil {
		t.Errorf("NaN pupils should decode as null in JS")
	}
	tr, wt := got.Tracks[0], want.Tracks[0]
	eq("track id", tr.ID, float32(wt.ID))
	eq("track age", tr.Age, wt.AgeMs)
	eq("trail", tr.Trail[2].X, wt.Trail[2].X)
	eq("embedding", got.Embedding[127], want.Embedding[127])
}
