"""`--shard K/N`: the K-th of N deterministic slices of a model list, for the jobs of a CI matrix.

Model types are sorted and dealt round-robin, so every shard gets a similar mix of the alphabet (families with
similar costs sit together alphabetically) and the slices do not depend on the order the models were listed in.
"""

from __future__ import annotations


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` with 1 <= K <= N -> (K, N)."""
    index, separator, count = text.partition("/")
    if not separator or not index.strip().isdigit() or not count.strip().isdigit():
        raise ValueError(f"expected K/N such as 2/4, got {text!r}")
    k, n = int(index), int(count)
    if not 1 <= k <= n:
        raise ValueError(f"K must be between 1 and N, got {text!r}")
    return k, n


def shard_of(model_types: list[str], k: int, n: int) -> list[str]:
    return [model_type for index, model_type in enumerate(sorted(model_types)) if index % n == k - 1]
