#!/usr/bin/env bash
# Time Microsoft Vidur and vidur-go on the same configuration, back to back.
#
#   bench/vidur/run.sh g1   [repeats]   # golden g1_sarathi: its 1,000-request trace
#   bench/vidur/run.sh full [repeats]   # same deployment, all 19,366 rows of splitwise_conv.csv
#
# Needs: a runnable Vidur copy in $VIDUR_REF (see README.md), Debian's
# /usr/bin/python3 with pandas, numpy, scikit-learn, plotly, fasteners, and Go.
# Writes everything under $OUT/<case> (default /tmp/vidur-bench) and prints a
# summary (medians over the repeats, speed-up ratios).
set -euo pipefail

case_name=${1:?usage: run.sh g1|full [repeats]}
repeats=${2:-3}
VIDUR_REF=${VIDUR_REF:-/work/vidur-ref}
VIDUR_GOLDEN=${VIDUR_GOLDEN:-/work/shared/golden}
VIDUR_DATA=${VIDUR_DATA:-/work/shared/vidur-data}
PY=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
g1=$VIDUR_GOLDEN/g1_sarathi

case $case_name in
g1) trace=$g1/trace.csv ;;
full) trace=$VIDUR_DATA/processed_traces/splitwise_conv.csv ;;
*) echo "run.sh: unknown case $case_name (want g1 or full)" >&2; exit 2 ;;
esac
for f in "$trace" "$g1/vidur-args.txt" "$g1/vidur-predictions" "$VIDUR_REF/vidur/simulator.py"; do
    [ -e "$f" ] || { echo "run.sh: missing $f" >&2; exit 1; }
done

out=${OUT:-/tmp/vidur-bench}/$case_name
rm -rf "$out"
mkdir -p "$out/bin"

# vidur-go binaries and the artifact holding Vidur's own prediction tables.
(cd "$repo" && go build -o "$out/bin/vidur-sim" ./cmd/vidur-sim &&
    go build -o "$out/bin/vidur-train" ./cmd/vidur-train &&
    go build -o "$out/bin/simtime" ./bench/vidur/simtime)
"$out/bin/vidur-train" import-vidur "$g1/vidur-predictions" --model meta-llama/Llama-2-7b-hf \
    --device h100 --node h100_pairwise_nvlink --tp 1 -o "$out/g1.vidurart" >/dev/null
go_flags=(--model meta-llama/Llama-2-7b-hf --device h100 --node h100_pairwise_nvlink
    --trace "$trace" --artifact "$out/g1.vidurart")
"$out/bin/vidur-sim" run "${go_flags[@]}" --print-config >"$out/go.yaml"

# Vidur's arguments for g1 (vidur-args.txt), with this case's trace.
read -r -a vidur_args < <(sed -e "s#--trace_request_generator_config_trace_file trace.csv#--trace_request_generator_config_trace_file $trace#" \
    -e "s#CACHE_DIR#$out/vidur-cache#" -e "s#OUTPUT_DIR#$out/vidur-out#" -e 's/ exit 0$//' "$g1/vidur-args.txt")
printf '%s\n' "${vidur_args[*]}" >"$out/vidur-args.txt"

uptime | tee "$out/uptime-before.txt"
for i in $(seq "$repeats"); do
    PYTHONPATH=$VIDUR_REF:$VIDUR_REF/shims "$PY" "$here/time_vidur.py" \
        --predictions "$g1/vidur-predictions" --json "$out/vidur-$i.json" -- "${vidur_args[@]}" >"$out/vidur-$i.log" 2>&1
    echo "vidur run $i: $(grep -o '"event_loop_s": [0-9.]*' "$out/vidur-$i.json")"
done
for mode in plots noplots; do
    extra=()
    [ $mode = noplots ] && extra=(--no-plots)
    for i in $(seq "$repeats"); do
        /usr/bin/time -f '%e %U %S %M' -o "$out/go-$mode-$i.time" \
            "$out/bin/vidur-sim" run "${go_flags[@]}" "${extra[@]}" --output-dir "$out/go-out-$mode-$i" >"$out/go-$mode-$i.log" 2>&1
        echo "vidur-sim run ($mode) $i: $(cat "$out/go-$mode-$i.time") (wall user sys maxrss_kB)"
    done
done
"$out/bin/simtime" -config "$out/go.yaml" -runs $((repeats > 5 ? repeats : 5)) >"$out/simtime.json"
uptime | tee "$out/uptime-after.txt"

"$PY" "$here/summarize.py" "$out" "$repeats" | tee "$out/summary.txt"
