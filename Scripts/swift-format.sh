#!/usr/bin/env bash
# Lints (default: findings are printed as warnings), lints strictly (--strict: any finding
# fails) or formats (--fix) every Swift file with swift-format and the repository's
# .swift-format. The sources were written without a Swift toolchain at hand, so the first
# run on a Mac should be --fix; CI can move to --strict after that commit. swift-format ships with Swift 6 toolchains as `swift format`; a standalone
# `swift-format` on PATH (Homebrew) is used when present.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if command -v swift-format >/dev/null 2>&1; then
  tool=(swift-format)
elif command -v swift >/dev/null 2>&1 && swift format --version >/dev/null 2>&1; then
  tool=(swift format)
else
  echo "swift-format is not installed (it comes with Xcode 16 / Swift 6 as 'swift format')." >&2
  exit 1
fi

paths=(Package.swift MacApp/Sources MacApp/Tests)
case "${1:-}" in
  --fix) "${tool[@]}" format --in-place --recursive --parallel --configuration .swift-format "${paths[@]}" ;;
  --strict) "${tool[@]}" lint --strict --recursive --parallel --configuration .swift-format "${paths[@]}" ;;
  "") "${tool[@]}" lint --recursive --parallel --configuration .swift-format "${paths[@]}" ;;
  *) echo "usage: $0 [--fix|--strict]" >&2; exit 2 ;;
esac
