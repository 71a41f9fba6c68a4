#!/bin/sh
# gpu-bundle.sh DIR: fills DIR (default out/gpu-bundle) with what a bare GPU machine needs
# to check and benchmark the Vulkan backend without Go, a registry or a network: the scope
# binary, the vk and shaders test binaries (with the few source files their tests read),
# the libvulkan1 Debian package (unpacked by check.sh where libvulkan.so.1 is missing) and
# check.sh. Run it through "make gpu-bundle"; see docs/performance.md.
set -eu
dir=${1:-out/gpu-bundle}
GO=${GO:-go}
rm -rf "$dir"
mkdir -p "$dir/vk" "$dir/shaders"
$GO build -trimpath -ldflags='-s -w' -o "$dir/scope" ./cmd/scope
$GO test -c -trimpath -ldflags='-s -w' -o "$dir/vk.test" ./vk
$GO test -c -trimpath -ldflags='-s -w' -o "$dir/shaders.test" ./shaders
# The tests read these from their working directory (kernel headers, ABI probes).
cp shaders/*.comp shaders/*.glsl "$dir/shaders/"
cp vk/*.h "$dir/vk/"
cp scripts/gpu-check.sh "$dir/check.sh"
chmod +x "$dir/check.sh"
# The Vulkan loader's package, from the apt cache or downloaded with apt-get.
deb=$(ls /var/cache/apt/archives/libvulkan1_*.deb 2>/dev/null | tail -n 1 || true)
if [ -n "$deb" ]; then
	cp "$deb" "$dir/"
elif ! (cd "$dir" && apt-get download libvulkan1 >/dev/null 2>&1); then
	echo "gpu-bundle: could not fetch the libvulkan1 package; check.sh needs libvulkan.so.1 on the target" >&2
fi
git rev-parse HEAD >"$dir/COMMIT" 2>/dev/null || true
du -sh "$dir"
