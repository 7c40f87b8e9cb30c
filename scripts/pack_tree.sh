#!/usr/bin/env bash
# Pack a transformers tree for the device machine: src/ (PyTorch only: no TF/Flax modeling files, no caches)
# and the files layout discovery reads.
#
#   scripts/pack_tree.sh ~/.cache/modelgen/trees/transformers-5.23.0 .device/tree523-full.tar.gz
set -euo pipefail
TREE="$1"
DEST="$2"
mkdir -p "$(dirname "$DEST")"
tar czf "$DEST" -C "$TREE" --exclude='__pycache__' --exclude='*.pyc' --exclude='modeling_tf_*.py' --exclude='modeling_flax_*.py' src pyproject.toml setup.py
ls -l "$DEST"
