#!/usr/bin/env bash
# The smoke check on a GPU machine: `smoke --device cuda --compare-devices` over real models of the 5.23.0 tree.
#
#   TREE=.device/transformers-5.23.0 scripts/gpu_smoke.sh        (writes $OUT/gpu_smoke.json and gpu_smoke.log)
#
# Needs only python + CUDA torch + the tree's dependencies (no click/libcst/ruff): it calls the click-free
# entry point `python -m modelgen.smoke.batch`, and the workers import the tree from TREE/src, so transformers
# as installed only supplies dependencies. If the tree's import-time dependency check rejects the installed
# versions (huggingface-hub, tokenizers, safetensors), carry matching wheels and pip install them first.
# About 2 minutes on 16 cores; every model is killed after 150 s.
set -euo pipefail
cd "$(dirname "$0")/.."
TREE="${TREE:-.device/transformers-5.23.0}"
OUT="${OUT:-/tmp/gpu_smoke}"
PYTHON="${PYTHON:-$(command -v python3)}"
JOBS="${JOBS:-6}"
mkdir -p "$OUT"
MODELS=(albert bart bert bloom clip convnext deit distilbert electra falcon gemma gpt2 gpt_neox llama mistral
        mixtral opt phi qwen2 qwen2_moe resnet roberta segformer swin t5 vit wav2vec2 whisper
        blip_2 deberta_v2 detr dinov2 gemma3 llava longformer mamba marian qwen2_vl sam siglip gemma4 molmo2)
"$PYTHON" -c "import torch, sys; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(),
torch.cuda.get_device_name(0) if torch.cuda.is_available() else '-'); sys.exit(0 if torch.cuda.is_available() else 1)" \
  | tee "$OUT/gpu_smoke.log"
status=0
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" timeout 330 "$PYTHON" -m modelgen.smoke.batch --repo "$TREE" \
  --device cuda --compare-devices --jobs "$JOBS" --timeout 150 --python "$PYTHON" --out "$OUT/gpu_smoke.json" \
  "${MODELS[@]}" 2>&1 | tee -a "$OUT/gpu_smoke.log" || status=$?
echo "exit status $status (1: some model failed, 124: the whole run hit its 330 s limit)" | tee -a "$OUT/gpu_smoke.log"
exit "$status"
