"""Instantiate every model class of a model from a tiny config and run one forward pass."""
