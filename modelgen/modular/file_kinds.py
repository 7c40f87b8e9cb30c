"""Which generated file a modular class goes to, decided by the end of its name (`...Config` -> configuration)."""

from __future__ import annotations

import re

# class-name suffix -> file kind; the longest matching suffix wins, anything else is modeling
SUFFIX_TO_KIND = {
    "Config": "configuration",
    "Tokenizer": "tokenization",
    "TokenizerFast": "tokenization*_fast",
    "Processor": "processing",
    "ProcessorKwargs": "processing",
    "ImagesKwargs": "processing",
    "TextKwargs": "processing",
    "VideosKwargs": "processing",
    "AudioKwargs": "processing",
    "ImageProcessor": "image_processing",
    "ImageProcessorPil": "image_processing_pil",
    "ImageProcessorKwargs": "image_processing",
    "VideoProcessorKwargs": "video_processing",
    "ImageProcessorFast": "image_processing*_fast",
    "FastImageProcessorKwargs": "image_processing*_fast",
    "VideoProcessor": "video_processing",
    "FeatureExtractor": "feature_extraction",
}

# the prefixes of file names a modular file can import model code from (`..llama.modeling_llama`)
IMPORTABLE_KINDS = (
    "modeling",
    "configuration",
    "tokenization",
    "processing",
    "image_processing",
    "video_processing",
    "feature_extraction",
)

_SUFFIX_REGEX = re.compile(
    "(" + "|".join(sorted(map(re.escape, SUFFIX_TO_KIND), key=len, reverse=True)) + ")$"
)


def kind_of_class(class_name: str) -> str:
    match = _SUFFIX_REGEX.search(class_name)
    return SUFFIX_TO_KIND[match.group(1)] if match else "modeling"


def file_name(kind: str, model_name: str) -> str:
    """`image_processing*_fast` + `llava` -> `image_processing_llava_fast.py`."""
    prefix, _, suffix = kind.partition("*")
    return f"{prefix}_{model_name}{suffix}.py"


def kind_of_file(name: str, model_name: str) -> str | None:
    """The kind of a generated file name, or None when it is not one of the model's generated files."""
    for kind in set(SUFFIX_TO_KIND.values()) | {"modeling"}:
        if file_name(kind, model_name) == name:
            return kind
    return None
