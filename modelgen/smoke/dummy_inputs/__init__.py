"""Dummy inputs built from a model's forward signature and its config: tokens, images, audio, time series,
sessions and the layouts models expect; what cannot be built is an `UnbuildableInput` (a reported skip)."""
