package wire_test

import (
	"fmt"

	"github.com/facewatch/facewatch/wasm/internal/wire"
)

// A worker packs a frame's results; the overlay decodes them into reused
// storage.
func ExampleDecode() {
	var r wire.Result
	r.Width, r.Height = 640, 480
	f := r.AddFace()
	f.X, f.Y, f.W, f.H, f.Score = 100, 80, 128, 128, 42
	f.Left, f.Right = wire.Point{X: 140, Y: 120}, wire.Point{X: 190, Y: 121}
	msg := r.Append(nil)

	var got wire.Result
	if err := wire.Decode(msg, &got); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(msg), "values;", len(got.Faces), "face at", got.Faces[0].X, got.Faces[0].Y, "pupils:", got.Faces[0].HasPupils())
	// Output: 37 values; 1 face at 100 80 pupils: true
}
