#!/usr/bin/env bash
# bench_gpu.sh: the Vulkan backend's checks and benchmarks on a machine with a real GPU
# and Go. A machine without Go takes the bundle instead: make gpu-bundle, then its
# check.sh (docs/performance.md).
#
# Run from the repository root: vk/bench_gpu.sh [OUTDIR]   (default $OUT, else /tmp/scope-gpu)
# Needs Go 1.26 and the Vulkan loader (libvulkan.so.1) with the GPU's driver; uses the
# validation layer when installed. Takes about 5 minutes on a 16-core machine with an H200:
#   1. lists the devices and builds the scope binary;
#   2. runs the vk and shaders tests (both product paths);
#   3. benchmarks the matrix products (GPU time per kernel, 2048x2048 and 16384x8192) and
#      sweeps the matrix-vector kernel's workgroup shape;
#   4. writes synthetic TinyLlama-1.1B Q4_0 and Q8_0 models and runs `scope bench`
#      (-p 64 -n 32) on each, with fp16 and with float32 products, then one decode with
#      per-kernel GPU times.
# Everything is printed and kept in OUTDIR (summary.txt holds the bench tables).
# SHAPE, P, N and BENCHTIME override the model shape, token counts and kernel benchmark
# iterations (SHAPE=tiny P=8 N=4 BENCHTIME=1x checks the script itself in a few minutes
# on lavapipe).
set -uo pipefail
shape=${SHAPE:-tinyllama-1.1b}
p=${P:-64}
n=${N:-32}

out=${1:-${OUT:-/tmp/scope-gpu}}
mkdir -p "$out"
log() { printf '\n=== %s\n' "$*" | tee -a "$out/summary.txt"; }
fail=0
step() { # step NAME TIMEOUT CMD...: runs CMD with a time limit, teeing into OUTDIR/NAME.txt
	local name=$1 limit=$2
	shift 2
	log "$name: $*"
	if ! timeout "$limit" "$@" 2>&1 | tee "$out/$name.txt"; then
		echo "FAILED: $name" | tee -a "$out/summary.txt"
		fail=1
	fi
}

command -v go >/dev/null || { echo "bench_gpu.sh: Go is not installed" >&2; exit 2; }
go version | tee "$out/summary.txt"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>/dev/null | tee -a "$out/summary.txt"
if ! compgen -G '/usr/share/vulkan/explicit_layer.d/*validation*' >/dev/null &&
	! compgen -G '/etc/vulkan/explicit_layer.d/*validation*' >/dev/null; then
	echo "no validation layer installed: tests run without it" | tee -a "$out/summary.txt"
	export SCOPE_VK_TEST_VALIDATION=0
fi

step build 240 go build -o "$out/scope" ./cmd/scope
[ -x "$out/scope" ] || { echo "bench_gpu.sh: build failed" >&2; exit 1; }
step devices 60 "$out/scope" devices
step tests 240 env SCOPE_REQUIRE_VULKAN=1 go test -count=1 ./vk/... ./shaders/...
step kernels 300 go test -count=1 -run XXX -bench 'MatVec|MatMul' -benchtime "${BENCHTIME:-50x}" ./vk/

for t in q4_0 q8_0; do
	model="$out/model-$t.gguf"
	step "synth-$t" 120 "$out/scope" synth --shape "$shape" --type "$t" -o "$model"
	step "bench-$t-fp16" 180 "$out/scope" bench -m "$model" --backend vulkan -p "$p" -n "$n"
	step "bench-$t-fp32" 180 env SCOPE_VK_FP32=1 "$out/scope" bench -m "$model" --backend vulkan -p "$p" -n "$n"
	grep -h '^|' "$out/bench-$t-fp16.txt" "$out/bench-$t-fp32.txt" >>"$out/summary.txt"
done
step timings-q4_0 120 "$out/scope" bench -m "$out/model-q4_0.gguf" --backend vulkan -p 0 -n 2 -r 1 --vk-timings
rm -f "$out"/model-*.gguf

log "summary"
cat "$out/summary.txt"
exit $fail
