"""Names of the new model and the casing rules of the renamer (no tree needed beyond the fixture)."""

from __future__ import annotations

import pytest

from modelgen.copies.replacements import apply_replacements
from modelgen.errors import ModelgenError
from modelgen.repo import RepoLayout
from modelgen.scaffold.exports import module_exports, without_exports
from modelgen.scaffold.naming import (
    ModelNames,
    _declared_model_types,
    _folder_stem,
    _shared_stem,
    new_model_names,
    old_model_names,
    snake_case,
)
from modelgen.scaffold.renamer import Renaming, build_rules, embedded_prefix_names

BRAND_NEW = ModelNames("BrandNewBert", "brand_new_bert", "brand_new_bert", "BRAND_NEW_BERT", "BrandNewBert")
BERT = ModelNames("Bert", "bert", "bert", "BERT", "BERT")


@pytest.mark.parametrize(
    ("camel", "snake"),
    [("BrandNewBert", "brand_new_bert"), ("GPT2Like", "gpt2_like"), ("XLMRobertaNew", "xlm_roberta_new"),
     ("Bert", "bert"), ("MyCLIP", "my_clip")],
)
def test_snake_case(camel, snake):
    assert snake_case(camel) == snake


def test_new_names_derive_every_casing(fixture_tree):
    layout = RepoLayout.discover(fixture_tree("new_mini"))
    names = new_model_names("BrandNewBert", layout)
    assert (names.prefix, names.folder, names.model_type, names.constant, names.hyphenated) == (
        "BrandNewBert", "brand_new_bert", "brand_new_bert", "BRAND_NEW_BERT", "brand-new-bert")


@pytest.mark.parametrize(
    ("name", "message"),
    [("brand-new", "not a valid Python identifier"), ("class", "not a valid Python identifier"),
     ("lowercase", "CamelCase"), ("Bert", "model type 'bert' already exists"),
     ("Roberta", "already exists"), ("CLIP", "already exists")],
)
def test_invalid_names_are_refused(fixture_tree, name, message):
    layout = RepoLayout.discover(fixture_tree("new_mini"))
    with pytest.raises(ModelgenError, match=message):
        new_model_names(name, layout)


def test_existing_class_is_refused(fixture_tree):
    layout = RepoLayout.discover(fixture_tree("new_mini"))
    with pytest.raises(ModelgenError, match="CLIPTextConfig"):
        new_model_names("CLIPText", layout)  # model type clip_text is free, the class CLIPTextConfig is not


def test_old_names_come_from_the_config_file(fixture_tree):
    layout = RepoLayout.discover(fixture_tree("new_mini"))
    clip = old_model_names("clip", layout)
    assert (clip.prefix, clip.model_type, clip.sub_model_types, clip.display) == (
        "CLIP", "clip", ("clip_text_model",), "CLIP")
    with pytest.raises(ModelgenError, match="no such model"):
        old_model_names("nope", layout)


def test_rules_leave_names_that_only_contain_the_old_name():
    renaming = Renaming(build_rules(BERT, BRAND_NEW))
    text = "BertModel DistilBertModel RobertaModel Bertweet ALBERT TFBertModel albert bertweet roberta"
    assert renaming.apply(text) == (
        "BrandNewBertModel DistilBertModel RobertaModel Bertweet ALBERT TFBertModel albert bertweet roberta")


def test_rules_handle_each_casing():
    renaming = Renaming(build_rules(BERT, BRAND_NEW, ("google-bert/bert-base-uncased", "org/brand-new-bert")))
    assert renaming.apply("BERT_START_DOCSTRING") == "BRAND_NEW_BERT_START_DOCSTRING"
    assert renaming.apply("The BERT model") == "The BrandNewBert model"
    assert renaming.apply("load_tf_weights_in_bert(self.bert)") == "load_tf_weights_in_brand_new_bert(self.brand_new_bert)"
    assert renaming.apply('"google-bert/bert-base-uncased"') == '"org/brand-new-bert"'


def test_all_caps_prefixes_are_not_mangled():
    clip = ModelNames("CLIP", "clip", "clip", "CLIP", "CLIP")
    renaming = Renaming(build_rules(clip, BRAND_NEW))
    assert renaming.apply("CLIPMLP CLIP_START_DOCSTRING clip_loss CLIPTextModel") == (
        "BrandNewBertMLP BRAND_NEW_BERT_START_DOCSTRING brand_new_bert_loss BrandNewBertTextModel")
    gpt2 = ModelNames("GPT2", "gpt2", "gpt2", "GPT2", "OpenAI GPT-2")
    renaming = Renaming(build_rules(gpt2, BRAND_NEW))
    assert renaming.apply("GPT2MLP GPT2_INPUTS_DOCSTRING gpt2 OpenAI GPT-2") == (
        "BrandNewBertMLP BRAND_NEW_BERT_INPUTS_DOCSTRING brand_new_bert BrandNewBert")


def test_hyphenated_model_types():
    xlm = ModelNames("XLMRoberta", "xlm_roberta", "xlm-roberta", "XLM_ROBERTA", "XLM-RoBERTa")
    renaming = Renaming(build_rules(xlm, BRAND_NEW))
    assert renaming.apply('model_type = "xlm-roberta"') == 'model_type = "brand_new_bert"'
    assert renaming.apply("FacebookAI/xlm-roberta-base XLMRobertaModel self.xlm_roberta RobertaModel") == (
        "FacebookAI/brand-new-bert-base BrandNewBertModel self.brand_new_bert RobertaModel")


def test_protected_names_stay_and_marker_pairs_reproduce_the_copy():
    renaming = Renaming(build_rules(BERT, BRAND_NEW))
    renaming.protect(["BertNoSpeechDetection"], attributes=["bert_helper"])
    source = "class BertModel:\n    x = BertNoSpeechDetection()\n    y = torch.bert_helper(self.bert)\n"
    copy = renaming.apply(source)
    assert copy == (
        "class BrandNewBertModel:\n    x = BertNoSpeechDetection()\n    y = torch.bert_helper(self.brand_new_bert)\n")
    pairs = renaming.marker_pairs(source, copy)
    assert apply_replacements(source, pairs) == copy


def test_pairs_that_cannot_be_written_in_a_marker_are_refused():
    """`with` splits a marker's replacement part: `dinov2-with-registers->...` cannot be a pair."""
    old = ModelNames("Dinov2WithRegisters", "dinov2_with_registers", "dinov2_with_registers",
                     "DINOV2_WITH_REGISTERS", "Dinov2WithRegisters")
    new = ModelNames("Zoo", "zoo", "zoo", "ZOO", "Zoo")
    renaming = Renaming(build_rules(old, new))
    source = 'x = "facebook/dinov2-with-registers-base"\n'
    pairs = renaming.marker_pairs(source, renaming.apply(source))
    assert pairs is not None and "wit[h]" in pairs[0].old  # the left side is a regex: escaped
    into_with = Renaming(build_rules(BERT, ModelNames("BertWith", "bert_with", "bert_with", "BERT_WITH", "BertWith")))
    assert into_with.marker_pairs("a = 'bert-x'\n", into_with.apply("a = 'bert-x'\n")) is not None
    xlm = ModelNames("XLMRoberta", "xlm_roberta", "xlm-roberta", "XLM_ROBERTA", "XLM-RoBERTa")
    renaming = Renaming(build_rules(xlm, ModelNames("NewWithX", "new_with_x", "new_with_x", "NEW_WITH_X", "NewWithX")))
    source = 'checkpoint = "FacebookAI/xlm-roberta-base"\n'
    assert renaming.apply(source) == 'checkpoint = "FacebookAI/new-with-x-base"\n'
    assert renaming.marker_pairs(source, renaming.apply(source)) is None


def test_a_display_name_equal_to_the_model_type_is_not_a_rule_of_its_own():
    """4.46.3 lists mamba2's display name as "mamba2": the model type must still become the new one."""
    mamba2 = ModelNames("Mamba2", "mamba2", "mamba2", "MAMBA2", "mamba2")
    renaming = Renaming(build_rules(mamba2, BRAND_NEW))
    assert renaming.apply('model_type = "mamba2"') == 'model_type = "brand_new_bert"'


def test_the_shortest_config_class_of_a_model_type_is_the_main_one(tmp_path):
    """idefics: the vision and perceiver configs declare the model's own `model_type` too, and come first."""
    config = tmp_path / "configuration_idefics.py"
    config.write_text(
        "class IdeficsVisionConfig(PretrainedConfig):\n    model_type = 'idefics'\n\n"
        "class IdeficsPerceiverConfig(PretrainedConfig):\n    model_type = 'idefics'\n\n"
        "class IdeficsConfig(PretrainedConfig):\n    model_type = 'idefics'\n\n"
        "class MusicgenConfig(PreTrainedConfig):\n    model_type: ClassVar[str] = 'musicgen'\n"
    )
    assert _declared_model_types(config) == {"idefics": "IdeficsConfig", "musicgen": "MusicgenConfig"}


@pytest.mark.parametrize(
    ("prefix", "folder", "stem"),
    [("PixtralVision", "pixtral", "Pixtral"), ("MLCDVision", "mlcd", "MLCD"),
     ("Kosmos2_5", "kosmos2_5", "Kosmos2_5"),
     ("XLMRoberta", "xlm_roberta", "XLMRoberta"), ("BertGeneration", "bert_generation", "BertGeneration"),
     ("Data2Vec", "data2vec", "Data2Vec"), ("Speech2Text", "speech_to_text", "Speech2Text"),
     # cut only before a capital: the prefix rule never matches before `_`
     ("NemotronH_Omni_Reasoning_V3_", "nemotron_h_omni", "NemotronH_Omni_Reasoning_V3_")],
)
def test_the_prefix_is_cut_to_the_words_that_spell_the_folder(prefix, folder, stem):
    assert _folder_stem(prefix, folder) == stem


def test_the_shared_stem_keeps_underscores():
    assert _shared_stem(["Kosmos2_5Text", "Kosmos2_5Vision", "Kosmos2_5"]) == "Kosmos2_5"
    assert _shared_stem(["Nemotron3_5TranscribeAudio", "Nemotron3_5Transcribe"]) == "Nemotron3_5Transcribe"
    assert _shared_stem(["Data2VecText", "Data2VecAudio", "Data2VecVision"]) == "Data2Vec"


def test_names_holding_the_prefix_inside_are_renamed_when_the_model_defines_them():
    bart = ModelNames("Bart", "bart", "bart", "BART", "BART")
    embedded = embedded_prefix_names({"PretrainedBartModel", "BartModel", "shift_tokens_right"}, "Bart")
    assert embedded == {"PretrainedBartModel": "Pretrained{}Model"}
    renaming = Renaming(build_rules(bart, BRAND_NEW, embedded=embedded))
    source = "class PretrainedBartModel(BartPreTrainedModel):\n    x = DistilBartModel\n"
    copy = renaming.apply(source)
    assert copy == (
        "class PretrainedBrandNewBertModel(BrandNewBertPreTrainedModel):\n    x = DistilBartModel\n")
    assert apply_replacements(source, renaming.marker_pairs(source, copy)) == copy


def test_a_prefix_ending_in_an_underscore_also_renames_its_stem():
    omni = ModelNames("NemotronH_Omni_Reasoning_V3_", "nemotron_h_omni", "nemotron_h_omni", "NEMOTRON_H_OMNI",
                      "NemotronH_Omni_Reasoning_V3_")
    renaming = Renaming(build_rules(omni, BRAND_NEW))
    assert renaming.apply("NemotronH_Omni_Reasoning_V3_Config NemotronH_Omni_Reasoning_V3PreTrainedModel "
                          "NemotronH_Omni_Reasoning_V3") == (
        "BrandNewBertConfig BrandNewBertPreTrainedModel BrandNewBert")


def test_dropped_names_leave_the_all_list_only():
    text = 'class A: ...\n\n\nclass B: ...\n\n\n__all__ = ["A", "B"]  # end\n'
    assert module_exports(text) == ["A", "B"]
    dropped = without_exports(text, {"B"})
    assert module_exports(dropped) == ["A"] and "class B" in dropped and dropped.endswith("]  # end\n")
    assert without_exports(text, {"C"}) == text
    assert module_exports(without_exports(text, {"A", "B"})) == []
