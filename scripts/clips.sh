#!/usr/bin/env bash
# Make facewatch's synthetic face clips from the committed test photos.
#
#   scripts/clips.sh                 write assets/clips/sample.webm (committed)
#   scripts/clips.sh --check         rebuild sample.webm in a temporary directory
#                                    and compare it with the committed one
#   scripts/clips.sh --y4m DIR       write the fake-webcam files for the browser
#                                    tests into DIR (not committed: raw video):
#                                      one-face.y4m   8 s, one face sweeping left
#                                                     and right, loops seamlessly
#                                      two-faces.y4m  4 s, two faces side by side,
#                                                     swaying; loops seamlessly
#                                      other-face.y4m 4 s, the astronaut's face
#                                                     alone, swaying gently in
#                                                     the middle; loops seamlessly
#                                                     (a second person's camera)
#                                      leave-return.y4m 14 s, one face swaying in
#                                                     the middle that leaves the
#                                                     view for 4 s (seconds 4-8)
#                                                     and comes back; loops
#                                                     seamlessly
#                                      sample.y4m     the frames of sample.webm
#
# Everything is 640x480 at 30 fps on a neutral grey background. The faces are
# assets/testdata/pigo-sample.jpg (MIT, pigo) and a head crop of
# assets/testdata/astronaut.png (NASA, public domain); see assets/clips/SOURCES.
# Positions are functions of the frame number only, so the frames are the same
# on every run; the webm is encoded single-threaded with bit-exact flags, so
# the same ffmpeg and libvpx give the same bytes (other versions give the same
# picture in different bytes; --check then reports the difference).
#
# Needs ffmpeg with libvpx-vp9 (Debian: apt-get install ffmpeg).
set -euo pipefail

cd "$(dirname "$0")/.."

W=640 H=480 FPS=30
BG=0x8c8c8c            # neutral mid grey
FW=176 FH=220          # both faces are placed as 176x220 pictures (4:5)
Y=130                  # (480-220)/2: vertically centred

face_a=assets/testdata/pigo-sample.jpg
face_b=assets/testdata/astronaut.png
sha_a=09ee4f7085e1eee6f48d3a2b11791c4c008e2dc0c6b2b2462067104e3030915e
sha_b=88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5

die() { echo "scripts/clips.sh: $*" >&2; exit 1; }

command -v ffmpeg >/dev/null || die "ffmpeg is not installed (Debian: apt-get install ffmpeg)"
for pair in "$face_a:$sha_a" "$face_b:$sha_b"; do
	f=${pair%%:*} want=${pair#*:}
	[ -f "$f" ] || die "$f is missing (scripts/testdata.sh --write recreates it)"
	got=$(sha256sum "$f" | cut -d' ' -f1)
	[ "$got" = "$want" ] || die "$f has sha256 $got, want $want"
done

# Inputs 1 and 2 are the faces: A is the whole pigo sample (320x400, the face
# fills most of it); B is the astronaut's head, cropped 184x230 at (132,14).
# Both end up 176x220, so the faces are about 110 and 100 px wide.
inputs=(
	-f lavfi -i "color=c=$BG:s=${W}x${H}:r=$FPS"
	-loop 1 -framerate $FPS -i "$face_a"
	-loop 1 -framerate $FPS -i "$face_b"
)
faces="[1:v]scale=$FW:$FH:flags=bicubic,format=yuv420p[a];[2:v]crop=184:230:132:14,scale=$FW:$FH:flags=bicubic,format=yuv420p[b]"

# graph <A's x> <A's y> <B's x> <B's y> <B enabled>: overlay expressions in
# the frame number n.
graph() {
	echo "$faces;[0:v]format=yuv420p[bg];[bg][a]overlay=x='$1':y='$2':eval=frame[s1];[s1][b]overlay=x='$3':y='$4':eval=frame:enable='$5',format=yuv420p[v]"
}

# sample.webm, 10 s: frames 0-179 A sweeps steadily from x=24 to x=440
# (2.3 px a frame, 6 s); frames 180-299 B appears on the left and both drift
# slowly towards the middle (two faces at once, 4 s).
sample_graph=$(graph \
	"if(lt(n,180), 24+416*n/180, 440-40*(n-180)/120)" "$Y" \
	"24+40*(n-180)/120" "$Y" \
	"gte(n,180)")

# one-face: A sweeps 24 → 440 → 24 over 240 frames (8 s, 3.5 px a frame);
# frame 240 would equal frame 0, so the loop has no jump.
one_graph=$(graph \
	"24+416*(1-abs(1-2*mod(n,240)/240))" "$Y+8*sin(2*PI*n/120)" \
	"-1000" "$Y" "0")

# two-faces: B left, A right, swaying in opposite phase over 120 frames
# (4 s), again without a jump at the loop.
two_graph=$(graph \
	"400+24*sin(2*PI*n/120)" "$Y" \
	"64-24*sin(2*PI*n/120)" "$Y+6*sin(2*PI*n/60)" \
	"1")

# other-face: B alone in the middle, swaying like two-faces' B (4 s, no
# jump at the loop): a camera showing a different person from one-face,
# for tests that need two people on two devices (the classroom).
other_graph=$(graph \
	"-1000" "$Y" \
	"232-24*sin(2*PI*n/120)" "$Y+6*sin(2*PI*n/60)" \
	"1")

# leave-return: A sways gently in the middle (period 2 s), is gone for
# frames 120-239 (4 s) and is back for frames 240-419; 420 frames are 7
# periods, so the loop has no jump.
leave_graph=$(graph \
	"if(between(n,120,239),-1000,232+30*sin(2*PI*n/60))" "$Y+6*sin(2*PI*n/60)" \
	"-1000" "$Y" "0")

ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }

webm() { # webm <out>
	ff "${inputs[@]}" -filter_complex "$sample_graph" -map '[v]' -frames:v 300 \
		-c:v libvpx-vp9 -b:v 0 -crf 32 -deadline good -cpu-used 2 -row-mt 0 -threads 1 \
		-g 60 -pix_fmt yuv420p -an \
		-fflags +bitexact -flags:v +bitexact -map_metadata -1 \
		"$1"
}

y4m() { # y4m <graph> <frames> <out>
	ff "${inputs[@]}" -filter_complex "$1" -map '[v]' -frames:v "$2" \
		-pix_fmt yuv420p -strict -1 -f yuv4mpegpipe "$3"
}

case "${1:-}" in
"")
	mkdir -p assets/clips
	webm assets/clips/sample.webm.tmp.webm
	mv assets/clips/sample.webm.tmp.webm assets/clips/sample.webm
	echo "assets/clips/sample.webm: $(stat -c %s assets/clips/sample.webm) bytes, sha256 $(sha256sum assets/clips/sample.webm | cut -d' ' -f1)"
	;;
--check)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	webm "$tmp/sample.webm"
	if cmp -s "$tmp/sample.webm" assets/clips/sample.webm; then
		echo "assets/clips/sample.webm: reproduced byte for byte"
	else
		echo "assets/clips/sample.webm: this ffmpeg ($(ffmpeg -version | head -1 | cut -d' ' -f3)) encodes different bytes; compare the frames by eye: $tmp kept" >&2
		trap - EXIT
		exit 1
	fi
	;;
--y4m)
	dir=${2:?usage: scripts/clips.sh --y4m DIR}
	mkdir -p "$dir"
	y4m "$one_graph" 240 "$dir/one-face.y4m.tmp" && mv "$dir/one-face.y4m.tmp" "$dir/one-face.y4m"
	y4m "$two_graph" 120 "$dir/two-faces.y4m.tmp" && mv "$dir/two-faces.y4m.tmp" "$dir/two-faces.y4m"
	y4m "$other_graph" 120 "$dir/other-face.y4m.tmp" && mv "$dir/other-face.y4m.tmp" "$dir/other-face.y4m"
	y4m "$leave_graph" 420 "$dir/leave-return.y4m.tmp" && mv "$dir/leave-return.y4m.tmp" "$dir/leave-return.y4m"
	y4m "$sample_graph" 300 "$dir/sample.y4m.tmp" && mv "$dir/sample.y4m.tmp" "$dir/sample.y4m"
	ls -l "$dir"/*.y4m
	;;
*)
	sed -n '2,20p' "$0" >&2
	exit 2
	;;
esac
