"""Discovery of a transformers-style repository's layout and settings."""

from modelgen.repo.layout import RepoLayout, find_repo_root

__all__ = ["RepoLayout", "find_repo_root"]
