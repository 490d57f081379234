#!/bin/sh
# Rebuild the bundled stranger gallery, assets/strangers, from the Debian
# package it comes from, and check it against assets/strangers/SHA256SUMS.
#
#   scripts/strangers.sh           download python3-skimage 0.19.3-8 with
#                                  apt-get, rebuild every file in a temporary
#                                  directory and compare it with the
#                                  committed file and its sha256
#   scripts/strangers.sh --check   only verify the committed files' sums
#                                  (fast, offline; the test script runs this)
#   scripts/strangers.sh --write   rebuild into assets/strangers (then compare)
#
# See assets/strangers/SOURCES. Exits non-zero on any mismatch.
set -eu

cd "$(dirname "$0")/.."
dir=assets/strangers
sums=$dir/SHA256SUMS
deb_version=0.19.3-8
npy_sha=9560ec2f5edfac01973f63a8a99d00053fecd11e21877e18038fbe500f8e872c

mode=${1:-}
case "$mode" in
"" | --check | --write) ;;
*)
	echo "usage: scripts/strangers.sh [--check|--write]" >&2
	exit 2
	;;
esac

fail=0
sha() { sha256sum "$1" | cut -d' ' -f1; }

while read -r sum name; do
	[ -z "$sum" ] && continue
	if [ ! -f "$dir/$name" ]; then
		echo "MISSING $dir/$name" >&2
		fail=1
	elif [ "$(sha "$dir/$name")" != "$sum" ]; then
		echo "MISMATCH $dir/$name: got $(sha "$dir/$name") want $sum" >&2
		fail=1
	fi
done <"$sums"
for f in $(find "$dir" -type f ! -name SOURCES ! -name SHA256SUMS | sort); do
	if ! awk -v n="${f#"$dir"/}" '$2 == n { found = 1 } END { exit !found }' "$sums"; then
		echo "UNLISTED $f (add it to $sums)" >&2
		fail=1
	fi
done
if [ "$mode" = "--check" ]; then
	[ $fail = 0 ] && echo "strangers: $(grep -c . "$sums") files match $sums"
	exit $fail
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 777 "$tmp" # apt-get download runs as the _apt user where it can
(cd "$tmp" && apt-get download "python3-skimage=$deb_version" >/dev/null 2>&1) || {
	echo "apt-get download python3-skimage=$deb_version failed (run apt-get update first?)" >&2
	exit 1
}
dpkg-deb -x "$tmp"/python3-skimage_*.deb "$tmp/x"
npy=$tmp/x/usr/lib/python3/dist-packages/skimage/data/lfw_subset.npy
if [ "$(sha "$npy")" != "$npy_sha" ]; then
	echo "lfw_subset.npy in python3-skimage $deb_version: sha256 $(sha "$npy"), want $npy_sha" >&2
	exit 1
fi
go run ./wasm/internal/story/mkstrangers -npy "$npy" -out "$tmp/out"

for f in $(cd "$tmp/out" && ls | sort); do
	w=$(awk -v n="$f" '$2 == n { print $1 }' "$sums")
	if [ -z "$w" ]; then
		echo "UNLISTED reproduced $f (not in $sums)" >&2
		fail=1
	elif [ "$(sha "$tmp/out/$f")" != "$w" ]; then
		echo "MISMATCH reproduced $f: got $(sha "$tmp/out/$f") want $w" >&2
		fail=1
	fi
	if [ "$mode" = "--write" ]; then
		cp "$tmp/out/$f" "$dir/$f"
	elif ! cmp -s "$tmp/out/$f" "$dir/$f"; then
		echo "DIFFERS $dir/$f from its rebuild" >&2
		fail=1
	fi
done
while read -r sum name; do
	[ -z "$sum" ] && continue
	[ -f "$tmp/out/$name" ] || {
		echo "NOT REPRODUCED $name" >&2
		fail=1
	}
done <"$sums"
[ $fail = 0 ] && echo "strangers: every file reproduced from python3-skimage $deb_version; all match"
exit $fail
