package sprite

import "image"

// DiscSize is the side of the square holding the disc.
const DiscSize = 32

// Width and Height are the sheet's size in pixels.
const (
	Width  = DiscSize + 4
	Height = DiscSize
)

// Radius is the disc's radius in pixels; its centre is the centre of Disc.
const Radius = DiscSize/2.0 - 1

var (
	// Disc is where the disc lies in the sheet.
	Disc = image.Rect(0, 0, DiscSize, DiscSize)
	// Pixel is one opaque white pixel, inside a 4×4 opaque square so that
	// linear filtering at its edges samples white too.
	Pixel = image.Rect(DiscSize+1, 1, DiscSize+2, 2)
)

// subsamples is the supersampling per axis at the disc's edge.
const subsamples = 4

// Sheet returns the sheet's pixels, Width×Height, premultiplied RGBA
// (ebiten's Image.WritePixels format): the disc with its coverage of each
// pixel as alpha, the 4×4 square at (DiscSize, 0) opaque, the rest clear.
func Sheet() []byte {
	pix := make([]byte, 4*Width*Height)
	const c = DiscSize / 2.0
	for y := 0; y < DiscSize; y++ {
		for x := 0; x < DiscSize; x++ {
			in := 0
			for sy := 0; sy < subsamples; sy++ {
				for sx := 0; sx < subsamples; sx++ {
					dx := float64(x) + (float64(sx)+0.5)/subsamples - c
					dy := float64(y) + (float64(sy)+0.5)/subsamples - c
					if dx*dx+dy*dy <= Radius*Radius {
						in++
					}
				}
			}
			const n = subsamples * subsamples
			v := byte((in*255 + n/2) / n)
			i := 4 * (y*Width + x)
			pix[i], pix[i+1], pix[i+2], pix[i+3] = v, v, v, v
		}
	}
	for y := 0; y < 4; y++ {
		for x := DiscSize; x < DiscSize+4; x++ {
			i := 4 * (y*Width + x)
			pix[i], pix[i+1], pix[i+2], pix[i+3] = 255, 255, 255, 255
		}
	}
	return pix
}
