package decode

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"
)

func testImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
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

func encodeGIF(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngHeader is a PNG whose IHDR declares w x h at the given bit depth and
// colour type (6 is RGBA, 0 grey) and interlace method, followed by a
// small IDAT of zero rows and IEND. DecodeConfig reads only the IHDR, so it
// stands for an image of any size without the cost of one.
func pngHeader(w, h uint32, depth, colourType, interlace byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9], ihdr[12] = depth, colourType, interlace
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 64))
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

func TestCheck(t *testing.T) {
	progressive, err := os.ReadFile("../../assets/testdata/pigo-sample.jpg")
	if err != nil {
		t.Fatal(err)
	}
	baseline := encodeJPEG(t, testImage(64, 48))
	tests := []struct {
		name     string
		data     []byte
		lim      Limits
		wantErr  error
		wantKind string
		perPixel int64
	}{
		{"8-bit RGBA PNG", encodePNG(t, testImage(64, 48)), Limits{}, nil, "8-bit RGBA PNG", 4},
		{"grey PNG", encodePNG(t, image.NewGray(image.Rect(0, 0, 64, 48))), Limits{}, nil, "8-bit grey PNG", 1},
		{"baseline JPEG", baseline, Limits{}, nil, "JPEG (YCbCr)", 3},
		{"progressive JPEG", progressive, Limits{}, nil, "progressive JPEG (YCbCr)", 15},
		{"GIF", encodeGIF(t, testImage(64, 48)), Limits{}, nil, "paletted gif", 1},
		// The 16-bit bomb: 7000x7000 is under the 50 MP cap, but decodes
		// to 392 MB, over the default 200 MB.
		{"16-bit RGBA bomb", pngHeader(7000, 7000, 16, 6, 0), Limits{}, ErrTooLarge, "16-bit RGBA PNG", 8},
		{"8-bit RGBA at the same size", pngHeader(7000, 7000, 8, 6, 0), Limits{}, nil, "8-bit RGBA PNG", 4},
		{"interlaced counts twice", pngHeader(7000, 7000, 8, 6, 1), Limits{}, ErrTooLarge, "interlaced 8-bit RGBA PNG", 8},
		{"16-bit grey", pngHeader(7000, 7000, 16, 0, 0), Limits{}, nil, "16-bit grey PNG", 2},
		{"over the pixel cap", pngHeader(7072, 7072, 8, 0, 0), Limits{}, ErrTooLarge, "", 0},
		{"huge declared", pngHeader(100000, 100000, 8, 6, 0), Limits{}, ErrTooLarge, "", 0},
		{"huge declared, only a byte cap", pngHeader(50000, 50000, 16, 6, 0), Limits{MaxPixels: 1 << 62, MaxDecodedBytes: 1 << 34}, ErrTooLarge, "16-bit RGBA PNG", 8},
		{"byte cap given", encodePNG(t, testImage(64, 48)), Limits{MaxDecodedBytes: 64*48*4 - 1}, ErrTooLarge, "8-bit RGBA PNG", 4},
		{"byte cap exactly", encodePNG(t, testImage(64, 48)), Limits{MaxDecodedBytes: 64 * 48 * 4}, nil, "8-bit RGBA PNG", 4},
		{"zero width", pngHeader(0, 10, 8, 6, 0), Limits{}, ErrCorrupt, "", 0},
		{"empty", nil, Limits{}, ErrNotImage, "", 0},
		{"text", []byte("hello, not an image\n"), Limits{}, ErrNotImage, "", 0},
		{"jpeg header only", baseline[:20], Limits{}, ErrCorrupt, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := Check(tt.data, tt.lim)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantKind == "" {
				return
			}
			if info.Kind != tt.wantKind {
				t.Errorf("kind %q, want %q", info.Kind, tt.wantKind)
			}
			if want := int64(info.Width) * int64(info.Height) * tt.perPixel; info.DecodedBytes != want && want > 0 && want < 1<<62 {
				t.Errorf("decoded bytes %d, want %d", info.DecodedBytes, want)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantKind) {
				t.Errorf("error %q does not say what kind of image it is", err)
			}
		})
	}
}

func TestBytes(t *testing.T) {
	pngb := encodePNG(t, testImage(64, 48))
	jpg := encodeJPEG(t, testImage(64, 48))
	tests := []struct {
		name    string
		data    []byte
		wantErr error
		format  string
	}{
		{"png", pngb, nil, "png"},
		{"jpeg", jpg, nil, "jpeg"},
		{"gif", encodeGIF(t, testImage(64, 48)), nil, "gif"},
		{"truncated jpeg", jpg[:len(jpg)/2], ErrCorrupt, ""},
		{"truncated png", pngb[:len(pngb)-20], ErrCorrupt, ""},
		// The header claims 64x48 but the data holds far less.
		{"short png data", pngHeader(64, 48, 8, 6, 0), ErrCorrupt, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, info, err := Bytes(tt.data, Limits{})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || img != nil {
					t.Fatalf("got %v, err %v; want no image and %v", img, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != tt.format || img.Bounds() != image.Rect(0, 0, 64, 48) {
				t.Errorf("got %s %v", info.Format, img.Bounds())
			}
		})
	}
}

func TestReaderFileCap(t *testing.T) {
	data := encodePNG(t, testImage(8, 8))
	if _, _, err := Reader(bytes.NewReader(data), Limits{MaxFileBytes: int64(len(data)) - 1}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("one byte over the file cap: %v, want ErrTooLarge", err)
	}
	if _, _, err := Reader(bytes.NewReader(data), Limits{MaxFileBytes: int64(len(data))}); err != nil {
		t.Errorf("at the file cap: %v", err)
	}
}

func FuzzBytes(f *testing.F) {
	f.Add(encodePNG(f, testImage(8, 8)))
	f.Add(encodeJPEG(f, testImage(8, 8)))
	f.Add(encodeGIF(f, testImage(8, 8)))
	f.Add(pngHeader(1<<30, 1<<30, 16, 6, 0))
	f.Add(pngHeader(300, 300, 8, 6, 1))
	f.Add([]byte("\xff\xd8\xff\xc2\x00\x11\x08\x00\x10\x00\x10\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8L"))
	f.Add([]byte("BM"))
	const cap = 1 << 16
	f.Fuzz(func(t *testing.T, data []byte) {
		img, info, err := Bytes(data, Limits{MaxPixels: cap})
		if err != nil {
			if img != nil {
				t.Fatal("an image with an error")
			}
			if !errors.Is(err, ErrNotImage) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is none of the package's", err)
			}
			return
		}
		b := img.Bounds()
		if b.Dx()*b.Dy() > cap || b.Dx() != info.Width || b.Dy() != info.Height {
			t.Fatalf("decoded %v, header %dx%d, cap %d", b, info.Width, info.Height, cap)
		}
		if info.DecodedBytes > 4*cap {
			t.Fatalf("accepted %d decoded bytes over the cap", info.DecodedBytes)
		}
	})
}
