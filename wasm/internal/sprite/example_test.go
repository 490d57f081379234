package sprite_test

import (
	"fmt"

	"github.com/facewatch/facewatch/wasm/internal/sprite"
)

// The disc's alpha along one of its upper rows: clear in the corner of its
// square, opaque inside. The circle (centre 16, radius 15) crosses row 4's
// middle at x = 16 − √(15² − 11.5²) ≈ 6.37, so pixel 6 is about 63 %
// covered.
func ExampleSheet() {
	pix := sprite.Sheet()
	const y = 4
	for x := 0; x < 10; x++ {
		fmt.Print(pix[4*(y*sprite.Width+x)+3], " ")
	}
	fmt.Println()
	// Output:
	// 0 0 0 0 0 0 159 255 255 255
}
