#!/usr/bin/env bash
# Installs the Debian packages the test suites need (real JavaScriptCore, real
# browsers, media tools). Idempotent; quick when everything is present.
set -euo pipefail
PACKAGES=(
  libjavascriptcoregtk-4.1-dev pkg-config gcc make   # the JavaScriptCore test host
  chromium                                            # review panel in real Chromium
  webkit2gtk-driver xvfb                              # review panel in real WebKit
  ffmpeg sox espeak-ng                                # media merge, concat peers, simulated speech
  tesseract-ocr tesseract-ocr-eng                     # on-device text recognition (host.vision in Node)
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "system packages: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
