#!/bin/sh
# Reproduce every file under assets/cascades and assets/models from the
# registry packages they come from, and check them against assets/SHA256SUMS.
#
#   scripts/assets.sh           fetch the packages, rebuild every file in a
#                               temporary directory and compare it, byte for
#                               byte, with the committed file and its sha256
#   scripts/assets.sh --check   only verify the committed files' sha256 sums
#                               (fast, offline; the test script runs this)
#   scripts/assets.sh --write   rebuild into assets/ (then compare)
#
# Sources (see assets/models/NOTICE and assets/cascades/LICENSE):
#   Go module github.com/esimov/pigo v1.4.6   cascade/facefinder, cascade/puploc,
#                                            cascade/lps/lp*, LICENSE
#   npm @vladmandic/face-api 1.7.15           model/face_recognition_model.bin,
#                                            model/face_recognition_model-weights_manifest.json,
#                                            LICENSE (as models/LICENSE-face-api)
# Every file is a verbatim copy. Exits non-zero on any mismatch.
set -eu

cd "$(dirname "$0")/.."
sums=assets/SHA256SUMS

mode=${1:-}
case "$mode" in
"" | --check | --write) ;;
*)
	echo "usage: scripts/assets.sh [--check|--write]" >&2
	exit 2
	;;
esac

fail=0
want() { # want <path relative to assets/> : sha256 from SHA256SUMS
	awk -v n="$1" '$2 == n { print $1 }' "$sums"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

# Every sum must match its committed file.
check_committed() {
	while read -r sum name; do
		[ -z "$sum" ] && continue
		if [ ! -f "assets/$name" ]; then
			echo "MISSING assets/$name" >&2
			fail=1
		elif [ "$(sha "assets/$name")" != "$sum" ]; then
			echo "MISMATCH assets/$name: got $(sha "assets/$name") want $sum" >&2
			fail=1
		fi
	done <"$sums"
	# And every model or cascade file must be listed (licences and notices aside).
	for f in $(find assets/cascades assets/models -type f ! -name 'LICENSE*' ! -name 'NOTICE' | sort); do
		if [ -z "$(want "${f#assets/}")" ]; then
			echo "UNLISTED $f (add it to $sums)" >&2
			fail=1
		fi
	done
}

check_committed
if [ "$mode" = "--check" ]; then
	[ $fail = 0 ] && echo "assets: $(grep -c . "$sums") files match $sums"
	exit $fail
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
mkdir -p "$out/cascades/lps" "$out/models"

# --- Go module github.com/esimov/pigo v1.4.6 ---------------------------------
pigo=$(go mod download -json github.com/esimov/pigo@v1.4.6 | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$pigo" ] || [ ! -d "$pigo/cascade" ]; then
	echo "go mod download github.com/esimov/pigo@v1.4.6 failed" >&2
	exit 1
fi
cp "$pigo/cascade/facefinder" "$pigo/cascade/puploc" "$out/cascades/"
cp "$pigo"/cascade/lps/lp* "$out/cascades/lps/"
cp "$pigo/LICENSE" "$out/cascades/LICENSE"

# --- npm @vladmandic/face-api 1.7.15 -----------------------------------------
(cd "$tmp" && npm pack --silent @vladmandic/face-api@1.7.15 >/dev/null 2>&1) || {
	echo "npm pack @vladmandic/face-api@1.7.15 failed" >&2
	exit 1
}
tar -xzf "$tmp"/vladmandic-face-api-1.7.15.tgz -C "$tmp" \
	package/model/face_recognition_model.bin \
	package/model/face_recognition_model-weights_manifest.json \
	package/LICENSE
cp "$tmp"/package/model/face_recognition_model.bin "$tmp"/package/model/face_recognition_model-weights_manifest.json "$out/models/"
cp "$tmp/package/LICENSE" "$out/models/LICENSE-face-api"

# --- compare -------------------------------------------------------------------
for f in $(cd "$out" && find . -type f | sed 's|^\./||' | sort); do
	case "$f" in
	*LICENSE*) ;; # not in SHA256SUMS: compared byte for byte below
	*)
		w=$(want "$f")
		if [ -z "$w" ]; then
			echo "UNLISTED $f (not in $sums)" >&2
			fail=1
		elif [ "$(sha "$out/$f")" != "$w" ]; then
			echo "MISMATCH reproduced $f: got $(sha "$out/$f") want $w" >&2
			fail=1
		fi
		;;
	esac
	if [ "$mode" = "--write" ]; then
		mkdir -p "assets/$(dirname "$f")"
		cp "$out/$f" "assets/$f"
	elif ! cmp -s "$out/$f" "assets/$f"; then
		echo "DIFFERS assets/$f from its package" >&2
		fail=1
	fi
done
# Every listed file must have been reproduced.
while read -r sum name; do
	[ -z "$sum" ] && continue
	[ -f "$out/$name" ] || {
		echo "NOT REPRODUCED $name" >&2
		fail=1
	}
done <"$sums"

if [ $fail = 0 ]; then
	echo "assets: every cascade and model file reproduced from pigo v1.4.6 and @vladmandic/face-api 1.7.15; all match"
fi
exit $fail
