#!/bin/sh
# Reproduce assets/testdata from the registry packages the files come from and
# check every file against assets/testdata/SHA256SUMS (sources too).
#
#   scripts/testdata.sh          rebuild into a temporary directory and compare
#   scripts/testdata.sh --write  rebuild into assets/testdata (then compare)
#
# Sources (see assets/testdata/SOURCES for licences):
#   Debian python3-skimage 0.19.3-8     skimage/data/*.png|jpg (copied verbatim)
#   Go module github.com/esimov/pigo v1.4.6  testdata/sample.jpg (copied verbatim)
#   npm @vladmandic/face-api 1.7.15      demo/sample1..6.jpg (downscaled to 960 px
#                                        wide, JPEG q85, by scripts/jpegscale)
#
# The downscaled JPEGs are bit-identical with the pinned Go toolchain and
# golang.org/x/image on amd64. On architectures where the Go compiler fuses
# multiply-adds (arm64, ppc64le, s390x, riscv64) the resampler may differ in
# the last bits: there a mismatch of a derived file is reported as a warning,
# while the sha256 of every source file is still enforced.
set -eu

cd "$(dirname "$0")/.."
root=$(pwd)
dst=assets/testdata
sums=$dst/SHA256SUMS

write=0
[ "${1:-}" = "--write" ] && write=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
mkdir -p "$out"
[ $write = 1 ] && out=$dst

fail=0
want() { # want <name> : expected sha256 from SHA256SUMS
	awk -v n="$1" '$2 == n { print $1 }' "$sums"
}
check_source() { # check_source <file> <sha256>
	got=$(sha256sum "$1" | cut -d' ' -f1)
	if [ "$got" != "$2" ]; then
		echo "SOURCE MISMATCH $1: got $got want $2" >&2
		fail=1
	fi
}

# --- Debian python3-skimage 0.19.3-8 -----------------------------------------
skver=0.19.3-8
skdata=${SKIMAGE_DATA:-/usr/lib/python3/dist-packages/skimage/data}
if [ "$(dpkg-query -W -f '${Version}' python3-skimage 2>/dev/null || true)" != "$skver" ] || [ ! -d "$skdata" ]; then
	echo "python3-skimage $skver not installed: fetching it with apt-get download" >&2
	(cd "$tmp" && apt-get download "python3-skimage=$skver" >/dev/null)
	dpkg-deb -x "$tmp"/python3-skimage_*.deb "$tmp/sk"
	skdata=$tmp/sk/usr/lib/python3/dist-packages/skimage/data
fi
for f in astronaut.png chelsea.png coffee.png rocket.jpg coins.png horse.png brick.png; do
	check_source "$skdata/$f" "$(want "$f")"
	cp "$skdata/$f" "$out/$f"
done

# --- Go module github.com/esimov/pigo v1.4.6 ----------------------------------
pigodir=$(go mod download -json github.com/esimov/pigo@v1.4.6 | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
check_source "$pigodir/testdata/sample.jpg" "$(want pigo-sample.jpg)"
cp "$pigodir/testdata/sample.jpg" "$out/pigo-sample.jpg"
chmod 644 "$out/pigo-sample.jpg"

# --- npm @vladmandic/face-api 1.7.15 ------------------------------------------
demo=tools/node_modules/@vladmandic/face-api/demo
if [ "$(sed -n 's/^[[:space:]]*"version": "\(.*\)",$/\1/p' tools/node_modules/@vladmandic/face-api/package.json 2>/dev/null | head -1)" != "1.7.15" ]; then
	echo "tools/node_modules lacks @vladmandic/face-api 1.7.15: using npm pack" >&2
	(cd "$tmp" && npm pack --silent @vladmandic/face-api@1.7.15 >/dev/null && tar -xzf vladmandic-face-api-1.7.15.tgz package/demo)
	demo=$tmp/package/demo
fi
go build -o "$tmp/jpegscale" ./scripts/jpegscale
for i in 1 2 3 4 5 6; do
	check_source "$demo/sample$i.jpg" "$(awk -v n="source:face-api/demo/sample$i.jpg" '$2 == n { print $1 }' "$sums")"
	"$tmp/jpegscale" -w 960 -q 85 "$demo/sample$i.jpg" "$out/faceapi-sample$i.jpg"
done

# --- compare every produced file with SHA256SUMS ------------------------------
arch=$(go env GOARCH)
for f in "$out"/*; do
	n=$(basename "$f")
	# Directories (chips/, eval/) are derived sets with their own checks.
	[ -d "$f" ] && continue
	case $n in SHA256SUMS | SOURCES | truth.json) continue ;; esac
	w=$(want "$n")
	got=$(sha256sum "$f" | cut -d' ' -f1)
	if [ -z "$w" ]; then
		echo "UNLISTED $n ($got)" >&2
		fail=1
	elif [ "$got" != "$w" ]; then
		case $n in
		faceapi-*) if [ "$arch" != amd64 ]; then
			echo "warning: $n differs on $arch (resampler rounding); its source matched" >&2
			continue
		fi ;;
		esac
		echo "MISMATCH $n: got $got want $w" >&2
		fail=1
	fi
done
if [ $write = 0 ]; then
	# The committed copies must match too.
	(cd "$dst" && grep -v ' source:' SHA256SUMS | sha256sum --quiet -c -) || fail=1
fi
[ $fail = 0 ] && echo "testdata: all files reproduced and verified"
exit $fail
