"""modelgen: scaffold, keep in sync, lint and smoke-test models in a transformers-style library."""

__version__ = "0.1.0"
