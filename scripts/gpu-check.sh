#!/usr/bin/env bash
# check.sh (in a folder made by "make gpu-bundle"): checks and benchmarks the Vulkan backend
# on a machine with a GPU and nothing else: no Go, no registry, no network, perhaps no
# Vulkan loader. In about 8 minutes at most it
#   1. makes libvulkan.so.1 available (unpacking the bundled libvulkan1 package if needed)
#      and finds the NVIDIA driver's ICD (VK_ICD_FILENAMES), writing one if only the
#      driver library is there;
#   2. lists the devices, runs the vk and shaders tests and the kernel benchmarks;
#   3. writes synthetic models (TYPES, of SHAPE) and runs `scope bench` on each, with fp16
#      and with float32 products (-p PP -n TG, --vk-stats; --parallel when it exists);
# and writes every log and summary.txt to $OUT (default ./out beside this script).
# Small shapes for a check on a software device:
#   SHAPE=tiny PP=16 TG=8 TYPES=q4_0 BENCHTIME=1x ./check.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/out}
work=${WORK:-$(mktemp -d /tmp/scope-check.XXXXXX)}
shape=${SHAPE:-tinyllama-1.1b}
pp=${PP:-512}
tg=${TG:-128}
types=${TYPES:-q4_0 q8_0 f16}
budget=${BUDGET:-470} # seconds for everything
mkdir -p "$out" "$work"
summary=$out/summary.txt
: >"$summary"
start=$(date +%s)
fail=0
note() { printf '%s\n' "$*" | tee -a "$summary"; }

# step NAME LIMIT CMD...: runs CMD within LIMIT seconds and what is left of the budget,
# logging to OUT/NAME.txt.
step() {
	local name=$1 limit=$2 left
	shift 2
	left=$((budget - ($(date +%s) - start)))
	if [ "$left" -lt 15 ]; then
		note "SKIPPED (time budget spent): $name"
		fail=1
		return 1
	fi
	[ "$limit" -gt $((left - 10)) ] && limit=$((left - 10))
	printf '\n=== %s (limit %ss): %s\n' "$name" "$limit" "$*" >>"$summary"
	local t0=$(date +%s)
	if timeout "$limit" "$@" >"$out/$name.txt" 2>&1; then
		note "ok $name ($(($(date +%s) - t0))s)"
	else
		note "FAILED $name ($(($(date +%s) - t0))s): see $name.txt"
		tail -n 15 "$out/$name.txt" >>"$summary"
		fail=1
		return 1
	fi
}

has_loader() {
	ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 ' && return 0
	local d
	for d in ${LD_LIBRARY_PATH:+${LD_LIBRARY_PATH//:/ }} /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
		[ -e "$d/libvulkan.so.1" ] && return 0
	done
	return 1
}

# unpack_loader extracts the bundled libvulkan1 package into the work folder.
unpack_loader() {
	local deb
	deb=$(ls "$here"/libvulkan1_*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || { note "no libvulkan.so.1 and no bundled libvulkan1 package"; return 1; }
	mkdir -p "$work/loader"
	if command -v dpkg-deb >/dev/null; then
		dpkg-deb -x "$deb" "$work/loader"
	else
		(cd "$work/loader" && ar x "$deb" && tar -xf data.tar.*)
	fi
	local lib
	lib=$(find "$work/loader" -name 'libvulkan.so.1' | head -n 1)
	[ -n "$lib" ] || { note "the libvulkan1 package holds no libvulkan.so.1"; return 1; }
	export LD_LIBRARY_PATH=$(dirname "$lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	note "using the bundled loader: $lib"
}

# find_icd points the loader at the NVIDIA driver's ICD manifest, or writes one for the
# driver library when only the library is installed (as in some containers).
find_icd() {
	[ -n "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && { note "ICD from the environment: ${VK_ICD_FILENAMES:-$VK_DRIVER_FILES}"; return; }
	local f d lib
	for d in /usr/local/nvidia/share/vulkan/icd.d /usr/local/nvidia/icd.d /etc/vulkan/icd.d \
		/usr/share/vulkan/icd.d /usr/local/share/vulkan/icd.d /usr/local/nvidia/etc/vulkan/icd.d; do
		for f in "$d"/nvidia*.json; do
			if [ -e "$f" ]; then
				export VK_ICD_FILENAMES=$f VK_DRIVER_FILES=$f
				note "NVIDIA ICD: $f"
				return
			fi
		done
	done
	lib=$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia\.so\.0 / {print $NF; exit}')
	for d in /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu /usr/lib64; do
		[ -z "$lib" ] && [ -e "$d/libGLX_nvidia.so.0" ] && lib=$d/libGLX_nvidia.so.0
	done
	if [ -n "$lib" ]; then
		f=$work/nvidia_icd.json
		printf '{"file_format_version": "1.0.0", "ICD": {"library_path": "%s", "api_version": "1.3.0"}}\n' "$lib" >"$f"
		export VK_ICD_FILENAMES=$f VK_DRIVER_FILES=$f
		note "NVIDIA ICD written for $lib"
		return
	fi
	note "no NVIDIA ICD found: the loader's own drivers are used"
}

note "scope GPU check, commit $(cat "$here/COMMIT" 2>/dev/null || echo unknown), $(date -u +%FT%TZ)"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | tee -a "$summary"
if [ "${BUNDLED_LOADER:-0}" = 1 ] || ! has_loader; then unpack_loader; fi
find_icd
if ! compgen -G '/usr/share/vulkan/explicit_layer.d/*validation*' >/dev/null &&
	! compgen -G '/etc/vulkan/explicit_layer.d/*validation*' >/dev/null; then
	export SCOPE_VK_TEST_VALIDATION=0
	note "no validation layer: the tests run without it"
fi
export SCOPE_REQUIRE_VULKAN=1

step devices 30 "$here/scope" devices && grep -i vulkan "$out/devices.txt" | tee -a "$summary"
(cd "$here/vk" && step vk-tests 240 "$here/vk.test" -test.count=1 -test.timeout 230s)
(cd "$here/shaders" && step shaders-tests 60 "$here/shaders.test" -test.count=1)
(cd "$here/vk" && step kernels 120 "$here/vk.test" -test.run XXX -test.bench "${KERNELS:-MatVec\$|MatMul\$|MatVecLarge|MatVecBatch|MatVecIntDot}" \
	-test.benchtime "${BENCHTIME:-20x}") && grep -E '^Benchmark' "$out/kernels.txt" >>"$summary"

# rows copies a bench log's table rows and device counters to the summary.
rows() { grep -hE '^\| |per generated' "$1" | grep -v -e '^| model ' -e '^|---' >>"$summary"; }

parallel=()
help=$("$here/scope" bench -h 2>&1) # not piped into grep -q: with pipefail, SIGPIPE fails it
grep -q -- '-parallel' <<<"$help" && parallel=(--parallel 8)
for t in $types; do
	model=$work/model-$t.gguf
	step "synth-$t" 90 "$here/scope" synth --shape "$shape" --type "$t" -o "$model" || continue
	for prod in fp16 fp32; do
		fp32=0
		[ "$prod" = fp32 ] && fp32=1
		step "bench-$t-$prod" 120 env SCOPE_VK_FP32=$fp32 "$here/scope" bench -m "$model" --backend vulkan \
			-p "$pp" -n "$tg" -r 1 --vk-stats && rows "$out/bench-$t-$prod.txt"
		if [ ${#parallel[@]} -gt 0 ]; then
			step "bench-$t-$prod-parallel" 90 env SCOPE_VK_FP32=$fp32 "$here/scope" bench -m "$model" \
				--backend vulkan -p "$pp" -n "$tg" -r 1 "${parallel[@]}" && rows "$out/bench-$t-$prod-parallel.txt"
		fi
	done
	rm -f "$model"
done
[ -n "${WORK:-}" ] || rm -rf "$work"
note "done in $(($(date +%s) - start))s, $([ $fail = 0 ] && echo 'all steps passed' || echo 'some steps FAILED')"
exit $fail
