#!/usr/bin/env bash
# The main job end to end on the default input, the pinned transformers 4.46.3 source tree:
# check-copies (and --fix repairing a planted drift), then new --like bert, check-copies and smoke of the new model.
# Usage: scripts/demo.sh [SCRATCH_DIR]   (run through `make demo`, which installs modelgen first)
set -euo pipefail
scratch=${1:-${TMPDIR:-/tmp}/modelgen-demo}
mkdir -p "$scratch"
tree=$(python -m modelgen.trees 4.46.3 "$scratch/transformers-4.46.3")
pristine=$(python -m modelgen.trees 4.46.3)
echo "== scratch copy of transformers 4.46.3: $tree"

echo "== modelgen check-copies (the pristine release is consistent)"
modelgen check-copies --repo "$tree" 2>/dev/null

copy=src/transformers/models/roberta/modeling_roberta.py
echo "== planting a drift in a copy: $copy (RobertaSelfOutput)"
python - "$tree/$copy" <<'PY'
import sys, pathlib
path = pathlib.Path(sys.argv[1])
text = path.read_text()
old = "class RobertaSelfOutput(nn.Module):\n    def __init__(self, config):\n        super().__init__()\n        self.dense = nn.Linear(config.hidden_size, config.hidden_size)"
assert old in text
path.write_text(text.replace(old, old.replace("config.hidden_size)", "2 * config.hidden_size)"), 1))
PY
echo "== modelgen check-copies --diff (reports the drift, exit 1)"
if modelgen check-copies --repo "$tree" --diff 2>/dev/null; then echo "expected a drift"; exit 1; fi

echo "== modelgen check-copies --fix"
modelgen check-copies --repo "$tree" --fix 2>&1 | grep -v "note:"
cmp "$tree/$copy" "$pristine/$copy" && echo "== $copy is byte-identical to the release again"

echo "== modelgen new --like bert --name BrandNewBert"
modelgen new --like bert --name BrandNewBert --checkpoint brand-new-org/brand-new-bert-base --repo "$tree"
echo "== modelgen check-copies (the generated copies carry verified markers)"
modelgen check-copies --repo "$tree" 2>/dev/null
echo "== modelgen smoke brand_new_bert (every class from a tiny config, one forward pass on the CPU)"
modelgen smoke --repo "$tree" brand_new_bert
