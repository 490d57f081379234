package scene_test

import (
	"fmt"

	"github.com/facewatch/facewatch/wasm/internal/scene"
	"github.com/facewatch/facewatch/wasm/internal/wire"
)

// The window sizes facelib/detect's default scan tries on a 640x480 frame,
// up to 100 pixels, and how many 60-pixel windows it classifies.
func ExampleScales() {
	sizes := scene.Scales(wire.Sweep{MinSize: 60, MaxSize: 100, Shift: 0.1, Scale: 1.1}, nil)
	cols, rows, step := scene.Windows(60, 0.1, 640, 480)
	fmt.Println(sizes)
	fmt.Println(cols, "x", rows, "windows,", step, "px apart")
	// Output:
	// [60 66 72 79 86 94]
	// 97 x 70 windows, 6 px apart
}
