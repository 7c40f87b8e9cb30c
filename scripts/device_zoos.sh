#!/usr/bin/env bash
# One device-machine call (16 cores, at most 10 minutes): the CPU smoke of the whole 5.23.0 zoo, then of the
# copies `new --like` made of every 5.23.0 model whose original passed, then of every 4.46.3 copy.
# Inputs (prepared here, gitignored, carried): .device/tree523-full.tar.gz, .device/zoo523.tar.gz,
# .device/zoo446.tar.gz (scripts/pack_tree.sh), .device/zoo_types_523.json ({original: copy}),
# .device/copies446.txt, .device/whl446/ (huggingface-hub and tokenizers wheels 4.46.3 accepts).
set -uo pipefail
cd "$(dirname "$0")/.."
export OUT="${OUT:-/tmp/device_zoo}"
mkdir -p "$OUT"
TARBALL=.device/tree523-full.tar.gz NAME=zoo523 BUDGET="${BUDGET_523:-250}" scripts/device_zoo.sh
python3 - "$OUT/zoo523.jsonl" .device/zoo_types_523.json >.device/copies523.txt <<'PY'
import json, sys
passed = {json.loads(line)["model_type"] for line in open(sys.argv[1]) if json.loads(line)["status"] == "pass"}
copies = json.load(open(sys.argv[2]))
print("\n".join(copies[model] for model in sorted(passed) if model in copies))
PY
echo "5.23.0 copies to smoke: $(wc -l <.device/copies523.txt)"
TARBALL=.device/zoo523.tar.gz NAME=copies523 MODELS_FILE=.device/copies523.txt BUDGET="${BUDGET_COPIES_523:-170}" \
  scripts/device_zoo.sh
TARBALL=.device/zoo446.tar.gz NAME=copies446 MODELS_FILE=.device/copies446.txt WHEELS=.device/whl446 \
  BUDGET="${BUDGET_COPIES_446:-140}" scripts/device_zoo.sh
