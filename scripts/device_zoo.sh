#!/usr/bin/env bash
# The whole-zoo CPU smoke of a tree on the device machine's 16 cores (2 here would take hours):
#
#   TARBALL=.device/tree523-full.tar.gz NAME=zoo523 scripts/device_zoo.sh              (every PyTorch model)
#   TARBALL=.device/zoo523.tar.gz NAME=copies523 MODELS_FILE=.device/copies.txt scripts/device_zoo.sh
#
# TARBALL is a tree packed by `scripts/pack_tree.sh` (its src/ and pyproject.toml). WHEELS: a folder of wheels
# the tree's import-time version checks need (4.46.3 pins huggingface-hub<1.0, tokenizers<0.21), installed
# for this run only. Writes $OUT/$NAME.json
# (the report), $OUT/$NAME.jsonl (one line per model as it finishes, so a run cut short still counts) and
# $OUT/$NAME.log. Needs only python + torch + the tree's dependencies: `python -m modelgen.smoke.batch` is
# click-free. Every model is killed after TIMEOUT seconds; the whole run after BUDGET seconds.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-/tmp/device_zoo}"
PYTHON="${PYTHON:-$(command -v python3)}"
JOBS="${JOBS:-15}"
TIMEOUT="${TIMEOUT:-120}"
BUDGET="${BUDGET:-280}"
NAME="${NAME:-zoo}"
mkdir -p "$OUT"
TREE="/tmp/$NAME-tree"
mkdir -p "$TREE" && tar xzf "$TARBALL" -C "$TREE"
if [[ -n "${WHEELS:-}" ]]; then
  "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --target "/tmp/site-$NAME" "$WHEELS"/*.whl &&
    export PYTHONPATH="/tmp/site-$NAME${PYTHONPATH:+:$PYTHONPATH}"
fi
if [[ -n "${MODELS_FILE:-}" ]]; then mapfile -t MODELS <"$MODELS_FILE"; else MODELS=(--all); fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
started=$(date +%s)
timeout "$BUDGET" "$PYTHON" -m modelgen.smoke.batch --repo "$TREE" --jobs "$JOBS" --timeout "$TIMEOUT" \
  --python "$PYTHON" --out "$OUT/$NAME.json" --jsonl "$OUT/$NAME.jsonl" "${MODELS[@]}" >"$OUT/$NAME.log" 2>&1
status=$?
echo "$NAME: exit $status after $(( $(date +%s) - started )) s on $(nproc) cores, jobs $JOBS" | tee -a "$OUT/$NAME.log"
tail -2 "$OUT/$NAME.log"
