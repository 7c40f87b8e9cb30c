"""Findings a generated model inherits from its source model are told apart from new ones."""

from __future__ import annotations

from pathlib import Path

from modelgen.lint.inherited import infer_renames, new_findings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "lint_inherited" / "src/transformers/models"
SOURCE = [FIXTURES / "bert" / "modeling_bert.py"]
GENERATED = [FIXTURES / "brand_new_bert" / "modeling_brand_new_bert.py"]


def test_names_are_read_from_the_files():
    assert infer_renames(GENERATED, SOURCE) == {
        "Bert": "BrandNewBert",
        "bert": "brand_new_bert",
        "BERT": "BRAND_NEW_BERT",
    }


def test_only_the_generated_model_s_own_findings_are_new():
    found = [(finding.code, finding.context, finding.subject) for finding in new_findings(GENERATED, SOURCE)]
    # `q`, `attn_weights` and `brand_new_bert_gelu(x)` come from bert (renamed, moved, reformatted);
    # `k` and the missing return annotation are new.
    assert found == [
        ("MG105", "BrandNewBertSelfAttention.forward", "k"),
        ("MG107", "BrandNewBertModel.forward", "forward"),
    ]


def test_without_the_rename_nothing_is_inherited_from_renamed_definitions():
    found = new_findings(GENERATED, SOURCE, renames={})
    assert {finding.subject for finding in found} >= {"q", "attn_weights", "brand_new_bert_gelu", "k"}


def test_a_finding_counts_once(tmp_path):
    folder = tmp_path / "brand_new_bert"
    folder.mkdir()
    generated = folder / "modeling_brand_new_bert.py"
    generated.write_text(
        GENERATED[0]
        .read_text()
        .replace(
            "def brand_new_bert_gelu(x):\n    return x * 0.5\n",
            "def brand_new_bert_gelu(x):\n    return x * 0.5\n\n\ndef brand_new_bert_gelu(x):\n    return x * 0.5\n",
        )
    )
    found = [(finding.code, finding.subject) for finding in new_findings([generated], SOURCE)]
    assert ("MG105", "x") in found and ("MG107", "brand_new_bert_gelu") in found


def test_all_capital_class_prefixes_are_renamed_as_class_names(tmp_path):
    for folder, prefix in (("gpt2", "GPT2"), ("brand_new_gpt", "BrandNewGpt")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"modeling_{folder}.py").write_text(
            f"class {prefix}PreTrainedModel(PreTrainedModel):\n    config_class = {prefix}Config\n\n\n"
            f"class {prefix}Attention(nn.Module):\n    def forward(self, x: int) -> int:\n        return x\n"
        )
    generated, source = (
        [tmp_path / "brand_new_gpt/modeling_brand_new_gpt.py"],
        [tmp_path / "gpt2/modeling_gpt2.py"],
    )
    assert infer_renames(generated, source) == {"GPT2": "BrandNewGpt", "gpt2": "brand_new_gpt"}
    assert new_findings(generated, source) == []
