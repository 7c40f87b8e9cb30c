"""bridgetower, mllama, tvp (and vilt's NLVR2 head): classes that cannot be built from their own default config,
built on the meta device (shapes only) exactly as a user calls them. Verdict: REAL DEFECT at the default config
(the library's tests build them with configs that set the missing values)."""

import torch
from common import tree_module

CASES = [("bridgetower", "BridgeTowerForContrastiveLearning", "BridgeTowerConfig"),
         ("mllama", "MllamaForCausalLM", "MllamaTextConfig"),
         ("mllama", "MllamaForConditionalGeneration", "MllamaConfig"),
         ("tvp", "TvpModel", "TvpConfig"),
         ("vilt", "ViltForImagesAndTextClassification", "ViltConfig")]
for model_type, class_name, config_name in CASES:
    module = tree_module(model_type)
    configuration = __import__(f"transformers.models.{model_type}.configuration_{model_type}", fromlist=[config_name])
    config = getattr(configuration, config_name)()
    try:
        with torch.device("meta"):
            getattr(module, class_name)(config)
        print(f"{class_name}({config_name}()): builds")
    except Exception as error:  # noqa: BLE001 - the failure is what this shows
        print(f"{class_name}({config_name}()): {type(error).__name__}: {error}")
