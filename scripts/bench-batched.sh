#!/usr/bin/env bash
# Multi-sequence throughput of scope and llama.cpp side by side on the same GGUF file:
# llama-batched-bench -npp P -ntg N -npl LEVELS and scope bench --parallel LEVELS -p P -n N
# (the same quantities: B sequences of P prompt tokens, then N decode steps of B tokens),
# both tables, then scope/llama.cpp ratios of S_TG and S_PP per B. The machine may be
# shared: read the ratios of one run, and run it twice.
#
#   scripts/bench-batched.sh [MODEL.gguf] [-- extra scope bench flags]
#
# MODEL defaults to /work/peers/models/tinyllama-1.1b-q4_0.gguf, written with
# bin/scope synth when absent. Env: PEER (llama.cpp's bin folder, default
# /work/peers/llama.cpp/build-cpu/bin), P (128), N (128), NPL (1,4,8,16), T threads (2),
# R scope repetitions per level, the best kept (1), BACKEND cpu|vulkan (cpu).
set -euo pipefail
PEER=${PEER:-/work/peers/llama.cpp/build-cpu/bin}
P=${P:-128}; N=${N:-128}; NPL=${NPL:-1,4,8,16}; T=${T:-2}; R=${R:-1}; BACKEND=${BACKEND:-cpu}
model=/work/peers/models/tinyllama-1.1b-q4_0.gguf
if [ $# -gt 0 ] && [ "$1" != "--" ]; then model=$1; shift; fi
[ "${1:-}" = "--" ] && shift
scope=${SCOPE:-bin/scope}
[ -x "$scope" ] || { echo "bench-batched: $scope not found (make build)" >&2; exit 1; }
[ -x "$PEER/llama-batched-bench" ] || { echo "bench-batched: no llama-batched-bench in $PEER" >&2; exit 1; }
if [ ! -f "$model" ]; then
	"$scope" synth --shape tinyllama-1.1b --type q4_0 -o "$model"
fi
# llama-batched-bench skips a level whose B*(P+N) exceeds its context: size it for the largest.
maxb=$(tr ',' '\n' <<<"$NPL" | sort -n | tail -1)
ctx=$((maxb * (P + N)))
ngl=0; [ "$BACKEND" = vulkan ] && ngl=99

peer=$(mktemp); mine=$(mktemp)
trap 'rm -f "$peer" "$mine"' EXIT
echo "== llama-batched-bench ($(basename "$model"), -t $T, $BACKEND)"
"$PEER/llama-batched-bench" -m "$model" -npp "$P" -ntg "$N" -npl "$NPL" -t "$T" -c "$ctx" -ngl $ngl \
	--output-format jsonl 2>/dev/null | grep '^{' >"$peer"
echo "== scope bench --parallel"
"$scope" bench -m "$model" --parallel "$NPL" -p "$P" -n "$N" -t "$T" -r "$R" --backend "$BACKEND" --json "$@" >"$mine"

python3 - "$peer" "$mine" <<'PY'
import json, sys
peer = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mine = json.load(open(sys.argv[2]))["rows"]
cols = ("pp", "tg", "pl", "n_kv", "t_pp", "speed_pp", "t_tg", "speed_tg", "t", "speed")
head = "|%6s | %6s | %4s | %6s | %8s | %8s | %8s | %8s | %8s | %8s |" % ("PP", "TG", "B", "N_KV", "T_PP s", "S_PP t/s", "T_TG s", "S_TG t/s", "T s", "S t/s")
def table(name, rows):
    print(f"\n{name}\n{head}")
    for r in rows:
        print("|%6d | %6d | %4d | %6d | %8.3f | %8.2f | %8.3f | %8.2f | %8.3f | %8.2f |" % tuple(r[c] for c in cols))
table("llama.cpp", peer)
table("scope", mine)
print("\n|    B | S_TG llama.cpp | S_TG scope | ratio | S_PP llama.cpp | S_PP scope | ratio | scope TTFT ms | preempt |")
print("|------|---------------|------------|-------|----------------|------------|-------|---------------|---------|")
by_b = {r["pl"]: r for r in peer}
for r in mine:
    p = by_b.get(r["pl"])
    if p is None:
        print("| %4d | (llama.cpp skipped this level) |" % r["pl"])
        continue
    ratio = lambda a, b: "%.2fx" % (b / a) if a > 0 else "?"
    print("| %4d | %13.2f | %10.2f | %5s | %14.2f | %10.2f | %5s | %13.1f | %7d |" % (r["pl"], p["speed_tg"], r["speed_tg"],
          ratio(p["speed_tg"], r["speed_tg"]), p["speed_pp"], r["speed_pp"], ratio(p["speed_pp"], r["speed_pp"]), r["ttft_ms"], r["preemptions"]))
PY
