package decode_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"log"

	"github.com/facewatch/facewatch/facelib/decode"
)

func ExampleReader() {
	// Any io.Reader: an uploaded file, an HTTP body, bytes in memory.
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewNRGBA(image.Rect(0, 0, 640, 480))); err != nil {
		log.Fatal(err)
	}
	data := bytes.Clone(buf.Bytes())
	img, info, err := decode.Reader(&buf, decode.Limits{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.Format, img.Bounds().Size(), info.Kind, info.DecodedBytes, "bytes")

	// The same header rewritten to declare 7000x7000 pixels of 16-bit RGBA:
	// under the 50-megapixel cap, but 392 MB once decoded.
	bomb := data
	binary.BigEndian.PutUint32(bomb[16:], 7000)
	binary.BigEndian.PutUint32(bomb[20:], 7000)
	bomb[24], bomb[25] = 16, 6 // bit depth, colour type RGBA
	binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29]))
	_, _, err = decode.Bytes(bomb, decode.Limits{})
	fmt.Println(errors.Is(err, decode.ErrTooLarge))
	fmt.Println(err)
	// Output:
	// png (640,480) 8-bit RGBA PNG 1228800 bytes
	// true
	// image too large: 7000x7000 16-bit RGBA PNG decodes to 392 MB, over the 200 MB limit; scale it down or save it as an 8-bit baseline image
}
