#!/usr/bin/env bash
# Real-browser tests of the playground in headless Chromium (Debian's
# chromium package, driven by playwright-core from tools/node_modules).
#
#   tools/browser/run.sh                 all browser tests
#   tools/browser/run.sh camera.test.mjs only some files (names under tools/browser/)
#
# It builds the facewatch binary and the site, makes the fake-camera .y4m
# files (kept in out/clips/ and remade only when scripts/clips.sh or the test
# photos change), and runs node's test runner over tools/browser/. Each test
# file starts "facewatch serve -dir SITE" on a free loopback port and its own
# Chromium, and stops both at the end. Files run one at a time so the
# measurements are not shared with another browser.
#
# Environment:
#   FACEWATCH_BIN        binary to build and run      (default out/bin/facewatch)
#   FACEWATCH_SITE       site directory to build      (default out/browser-site)
#   FACEWATCH_Y4M_DIR    fake-camera files            (default out/clips)
#   FACEWATCH_NO_BUILD=1 use the existing binary and site as they are
#   FACEWATCH_URL        test a server that is already running (headers and
#                        pages only; the i18n test still reads playground/)
#   CHROMIUM             browser executable           (default /usr/bin/chromium)
#   FACEWATCH_SHOTS      screenshots                  (default ci-artifacts/screenshots)
#   FACEWATCH_MEASURE_S  seconds of fps/CPU measuring (default 10)
#   FACEWATCH_HEADED=1   show the browser (needs a display)
#   FACEWATCH_TEST_TIMEOUT  ms per test file          (default 240000)
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$(pwd)

export FACEWATCH_BIN=${FACEWATCH_BIN:-$root/out/bin/facewatch}
export FACEWATCH_SITE=${FACEWATCH_SITE:-$root/out/browser-site}
export FACEWATCH_Y4M_DIR=${FACEWATCH_Y4M_DIR:-$root/out/clips}
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

die() { echo "tools/browser/run.sh: $*" >&2; exit 1; }

command -v node >/dev/null || die "node is not installed"
[ -x "$CHROMIUM" ] || die "$CHROMIUM not found (Debian: apt-get install chromium)"
[ -d tools/node_modules/playwright-core ] || die "playwright-core missing: run npm ci in tools/"
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=ko 2>/dev/null | head -1)" ]; then
	echo "tools/browser/run.sh: no Korean font installed: Korean screenshots will show boxes (Debian: apt-get install fonts-nanum)" >&2
fi

if [ "${FACEWATCH_NO_BUILD:-}" != 1 ]; then
	echo "--- building $FACEWATCH_BIN"
	go build -o "$FACEWATCH_BIN" ./cmd/facewatch
	echo "--- building the site into $FACEWATCH_SITE"
	"$FACEWATCH_BIN" build -o "$FACEWATCH_SITE"
fi

# The y4m files depend only on the script and the two photos.
stamp=$FACEWATCH_Y4M_DIR/.stamp
want=$(cat scripts/clips.sh assets/testdata/pigo-sample.jpg assets/testdata/astronaut.png | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	echo "--- making fake-camera files in $FACEWATCH_Y4M_DIR"
	bash scripts/clips.sh --y4m "$FACEWATCH_Y4M_DIR"
	echo "$want" >"$stamp"
fi

files=()
for f in "$@"; do files+=("tools/browser/$f"); done
[ ${#files[@]} -gt 0 ] || files=(tools/browser/)

echo "--- node --test ${files[*]}"
cd "$root"
exec node --test --test-concurrency=1 --test-timeout="${FACEWATCH_TEST_TIMEOUT:-240000}" \
	--test-reporter=spec "${files[@]}"
