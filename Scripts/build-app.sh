#!/usr/bin/env bash
# Builds Stint.app on macOS: engine.js and the review panel (npm run build), the Swift
# executable (swift build -c release), the bundle (Info.plist, resources), then an ad-hoc
# signature with the hardened runtime and the JIT entitlement.
#
#   Scripts/build-app.sh                 # build/Stint.app for this Mac's architecture
#   Scripts/build-app.sh --universal     # arm64 + x86_64
#   SIGN_IDENTITY="Developer ID Application: …" Scripts/build-app.sh   # a real identity
set -euo pipefail

if [[ "$(uname -s)" != "Darwin" ]]; then
  echo "build-app.sh builds the Mac app and needs macOS with Xcode 16 or later." >&2
  exit 1
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
universal=0
for arg in "$@"; do
  case "$arg" in
    --universal) universal=1 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

version="$(node -p 'require("./package.json").version')"
build_number="$(git rev-list --count HEAD 2>/dev/null || echo 1)"
app="$root/build/Stint.app"
identity="${SIGN_IDENTITY:--}"

echo "==> engine.js and the review panel"
npm run build --silent
test -f dist/engine.js || { echo "dist/engine.js is missing" >&2; exit 1; }
test -f dist/webview-ui/index.html || { echo "dist/webview-ui/index.html is missing" >&2; exit 1; }

echo "==> swift build -c release"
# Empty-array expansions are written ${a[@]+"${a[@]}"}: macOS ships bash 3.2, where "${a[@]}" trips set -u.
arch_flags=()
if [[ $universal == 1 ]]; then arch_flags=(--arch arm64 --arch x86_64); fi
swift build -c release --product Stint ${arch_flags[@]+"${arch_flags[@]}"}
bin_dir="$(swift build -c release --product Stint ${arch_flags[@]+"${arch_flags[@]}"} --show-bin-path)"

echo "==> assembling $app"
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
cp "$bin_dir/Stint" "$app/Contents/MacOS/Stint"
sed -e "s/__VERSION__/$version/" -e "s/__BUILD__/$build_number/" MacApp/Resources/Info.plist > "$app/Contents/Info.plist"
plutil -lint "$app/Contents/Info.plist" >/dev/null
cp dist/engine.js "$app/Contents/Resources/engine.js"
cp -R dist/webview-ui "$app/Contents/Resources/webview-ui"
if [[ -f MacApp/Resources/AppIcon.icns ]]; then cp MacApp/Resources/AppIcon.icns "$app/Contents/Resources/"; fi

echo "==> signing ($( [[ $identity == - ]] && echo ad hoc || echo "$identity" ))"
# --options runtime: the hardened runtime; the entitlements keep JavaScriptCore's JIT.
codesign --force --timestamp=none --options runtime \
  --entitlements MacApp/Resources/Stint.entitlements --sign "$identity" "$app"
codesign --verify --strict --verbose=2 "$app"
if ! codesign -d --entitlements - --xml "$app" 2>/dev/null | grep -q "com.apple.security.cs.allow-jit"; then
  echo "the signature lacks com.apple.security.cs.allow-jit; the engine would run without the JIT" >&2
  exit 1
fi

echo "==> $app ($(du -sh "$app" | cut -f1))"
echo "Run it with: open \"$app\""
