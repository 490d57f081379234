package imgload

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngWithSize rewrites a PNG's IHDR to declare w x h, fixing the chunk CRC so
// the header itself is valid.
func pngWithSize(t testing.TB, w, h uint32) []byte {
	b := encodePNG(t, testImage(4, 4))
	// 8-byte signature, 4-byte length, "IHDR", then width and height.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	crc := crc32.ChecksumIEEE(b[12:29])
	binary.BigEndian.PutUint32(b[29:], crc)
	return b
}

func TestDecodeBytes(t *testing.T) {
	jpg := encodeJPEG(t, testImage(64, 48))
	pngb := encodePNG(t, testImage(64, 48))
	tests := []struct {
		name      string
		data      []byte
		maxPixels int
		wantErr   error
		wantFmt   string
		wantW     int
	}{
		{"png", pngb, 0, nil, "png", 64},
		{"jpeg", jpg, 0, nil, "jpeg", 64},
		{"empty", nil, 0, ErrNotImage, "", 0},
		{"text file", []byte("hello, this is not an image\n"), 0, ErrNotImage, "", 0},
		{"truncated jpeg", jpg[:len(jpg)/2], 0, ErrCorrupt, "", 0},
		{"jpeg header only", jpg[:20], 0, ErrCorrupt, "", 0},
		{"truncated png", pngb[:len(pngb)-20], 0, ErrCorrupt, "", 0},
		{"over the pixel cap", pngb, 64*48 - 1, ErrTooLarge, "", 0},
		{"exactly the pixel cap", pngb, 64 * 48, nil, "png", 64},
		{"huge declared png", pngWithSize(t, 100000, 100000), 0, ErrTooLarge, "", 0},
		{"zero-width png", pngWithSize(t, 0, 10), 0, ErrCorrupt, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, format, err := DecodeBytes(tt.data, tt.maxPixels)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if img != nil {
					t.Fatalf("got an image with error %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if format != tt.wantFmt || img.Bounds().Dx() != tt.wantW {
				t.Fatalf("got %s %v, want %s width %d", format, img.Bounds(), tt.wantFmt, tt.wantW)
			}
		})
	}
}

func TestDecodeRefusesHugeFile(t *testing.T) {
	r := bytes.NewReader(make([]byte, MaxFileBytes+10))
	if _, _, err := Decode(r, 0); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func FuzzDecodeBytes(f *testing.F) {
	f.Add(encodePNG(f, testImage(8, 8)))
	f.Add(encodeJPEG(f, testImage(8, 8)))
	f.Add(pngWithSize(f, 1<<30, 1<<30))
	f.Add([]byte("GIF89a\x01\x00\x01\x00"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Add([]byte("BM"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, _, err := DecodeBytes(data, 1<<20)
		if err == nil {
			b := img.Bounds()
			if b.Dx()*b.Dy() > 1<<20 || b.Dx() <= 0 || b.Dy() <= 0 {
				t.Fatalf("decoded %v beyond the cap", b)
			}
		} else if img != nil {
			t.Fatal("image returned with an error")
		}
	})
}
