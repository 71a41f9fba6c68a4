#!/bin/sh
# Prints the path of a Go command that can build this module, fetching one if needed.
#
# Go 1.21 and later download the toolchain go.mod asks for by themselves. An older go (such
# as Debian 12's golang-go, 1.19) cannot, so this script uses it to download the official
# toolchain module from the Go module proxy (golang.org/toolchain) into the user's cache.
# With no go at all it installs Debian's golang-go first (as root).
set -eu

version=1.26.8
cache="${XDG_CACHE_HOME:-$HOME/.cache}/scope/go$version"

if [ -x "$cache/bin/go" ]; then
	echo "$cache/bin/go"
	exit 0
fi
if command -v go >/dev/null 2>&1; then
	minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
	if [ -n "$minor" ] && [ "$minor" -ge 21 ]; then
		echo go
		exit 0
	fi
elif command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	apt-get update -qq >&2 && apt-get install -y -qq golang-go >&2
else
	echo "scripts/go.sh: no Go found; install Go (Debian: apt-get install golang-go) and retry" >&2
	exit 1
fi

case "$(uname -m)" in
x86_64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*) arch=$(go env GOARCH) ;;
esac
echo "scripts/go.sh: fetching Go $version through the module proxy (one time)" >&2
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
dir=$(cd "$tmp" && GOPATH="$tmp/gopath" GO111MODULE=on GOFLAGS=-modcacherw \
	go mod download -json "golang.org/toolchain@v0.0.1-go$version.linux-$arch" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] || { echo "scripts/go.sh: download failed" >&2; exit 1; }
mkdir -p "$(dirname "$cache")"
cp -R "$dir" "$cache"
chmod -R u+w "$cache"
chmod +x "$cache"/bin/* "$cache"/pkg/tool/*/*
echo "$cache/bin/go"
