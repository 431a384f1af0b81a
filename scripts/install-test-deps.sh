#!/usr/bin/env bash
# install-test-deps.sh installs what the end-to-end tests need on a fresh
# Debian 12 machine that already has Go and Node:
#
#   chromium              headless browser driven by chromedp (test/browser)
#   fonts-liberation      a font, so screenshots of pages show readable text
#                         (Chromium only recommends it, and recommends are off)
#   libjs-janus-gateway   janus.js 1.1.2, the exact client version Reprise is
#                         wire-compatible with (npm has no 1.1.2 release)
#   libjs-webrtc-adapter  adapter.js, which janus.js expects as window.adapter
#   ffmpeg                ffprobe, to inspect recordings
#
# It is idempotent and does nothing (and touches no network) when every
# package is already installed. It only uses apt-get; run it as root.
set -euo pipefail

# Each entry is "package:file-it-provides"; the file is what the tests use, so
# it is what decides whether the package counts as present.
required=(
	"chromium:/usr/bin/chromium"
	"fonts-liberation:/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
	"libjs-janus-gateway:/usr/share/javascript/janus-gateway/janus.js"
	"libjs-webrtc-adapter:/usr/share/javascript/webrtc-adapter/adapter.js"
	"ffmpeg:/usr/bin/ffprobe"
)

missing=()
for entry in "${required[@]}"; do
	pkg="${entry%%:*}"
	file="${entry#*:}"
	if [[ ! -e "$file" ]]; then
		missing+=("$pkg")
	fi
done

if ((${#missing[@]} == 0)); then
	echo "install-test-deps: all present (${#required[@]} packages)"
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "install-test-deps: missing ${missing[*]}; run this script as root" >&2
	exit 1
fi

echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Verify that every file the tests rely on now exists, so a package that moved
# its files fails here rather than as a confusing test error later.
for entry in "${required[@]}"; do
	file="${entry#*:}"
	if [[ ! -e "$file" ]]; then
		echo "install-test-deps: ${entry%%:*} installed but $file is missing" >&2
		exit 1
	fi
done
echo "install-test-deps: done"
