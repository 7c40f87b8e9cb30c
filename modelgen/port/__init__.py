"""Port a checkpoint into a library model and prove the port computes what the original computes.

`convert` maps an original checkpoint onto a model of the repository's tree with TOML rules (sources/ reads
checkpoints, operations/ reshapes tensors, rules.py parses the rules, convert.py plans and streams);
`compare` records both models' module calls (trace.py), pairs them (align.py) and reports the first
divergence (compare.py, report.py). Importing this package imports neither torch nor the tree.
"""
