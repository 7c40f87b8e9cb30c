"""`modelgen new --like` end to end on the small fixture tree `fixtures/new_mini`."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from modelgen.cli import cli
from modelgen.copies.replacements import apply_replacements, parse_replacements
from modelgen.repo import RepoLayout
from modelgen.scaffold.markers import MARKER, SourceIndex, same_code


def run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "modelgen", *arguments], capture_output=True, text=True)


def snapshot(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): path.read_text() for path in sorted(root.rglob("*")) if path.is_file()}


def marked_blocks(path: Path):
    """(marker line, definition text) of every top-level marked definition of a generated file."""
    text = path.read_text()
    lines = text.splitlines(keepends=True)
    for node in ast.parse(text).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            above = lines[node.lineno - 2]
            yield (above if MARKER.match(above) else None), "".join(lines[node.lineno - 1 : node.end_lineno]), node.name


@pytest.fixture
def bert_copy(fixture_tree):
    root = fixture_tree("new_mini")
    result = run("new", "--like", "bert", "--name", "BrandNewBert", "--repo", str(root))
    assert result.returncode == 0, result.stderr
    return root


def test_creates_the_package_tests_docs_and_conversion_script(bert_copy):
    package = bert_copy / "src/transformers/models/brand_new_bert"
    assert sorted(path.name for path in package.iterdir()) == [
        "__init__.py", "configuration_brand_new_bert.py",
        "convert_brand_new_bert_original_checkpoint_to_pytorch.py", "modeling_brand_new_bert.py"]
    assert (bert_copy / "tests/models/brand_new_bert/test_modeling_brand_new_bert.py").is_file()
    assert (bert_copy / "docs/source/en/model_doc/brand_new_bert.md").read_text().count("[[autodoc]]") >= 2
    for path in [*package.glob("*.py"), *(bert_copy / "tests/models/brand_new_bert").glob("*.py")]:
        ast.parse(path.read_text())


def test_every_copied_definition_carries_a_marker_that_reproduces_it(bert_copy):
    sources = SourceIndex(RepoLayout.discover(bert_copy))
    package = bert_copy / "src/transformers/models/brand_new_bert"
    count = 0
    for module in ("modeling_brand_new_bert.py", "configuration_brand_new_bert.py"):
        for marker, block, name in marked_blocks(package / module):
            assert marker is not None, f"{name} has no marker"
            match = MARKER.match(marker)
            assert match.group("target").startswith("transformers.models.bert.")
            source = sources.definition(match.group("target"))
            assert same_code(apply_replacements(source, parse_replacements(match.group("rest"))), block), name
            count += 1
    assert count == 6


def test_names_from_outside_the_package_and_containing_names_are_kept(bert_copy):
    text = (bert_copy / "src/transformers/models/brand_new_bert/modeling_brand_new_bert.py").read_text()
    assert "from ...generation import BertNoSpeechDetection" in text
    assert "BertNoSpeechDetection()" in text
    assert "from ...models.distil_bert import DistilBertModel" in text
    assert "torch.clip(" in text
    assert "DistilBert or RoBERTa" in text and "Bertweet reuses it" in text
    assert "self.brand_new_bert = BrandNewBertModel(config)" in text
    assert 'base_model_prefix = "brand_new_bert"' in text
    assert "BRAND_NEW_BERT_START_DOCSTRING" in text and "The BrandNewBert model" in text


def test_package_init_drops_the_tokenizer_and_tensorflow_without_empty_blocks(bert_copy):
    text = (bert_copy / "src/transformers/models/brand_new_bert/__init__.py").read_text()
    assert "Tokenizer" not in text and "TF" not in text and "is_tf_available" not in text
    tree = ast.parse(text)
    guards = [node for node in ast.walk(tree) if isinstance(node, ast.Try)]
    assert guards and all(guard.orelse for guard in guards)  # every optional-dependency guard still guards something
    assert '"modeling_brand_new_bert"' in text and "BrandNewBertForMaskedLM" in text


def test_registrations_are_sorted_and_reuse_the_tokenizer(bert_copy):
    auto = bert_copy / "src/transformers/models/auto"
    modeling = (auto / "modeling_auto.py").read_text()
    assert '("bert", "BertForMaskedLM"),\n        ("brand_new_bert", "BrandNewBertForMaskedLM"),\n        ("roberta"' in modeling
    assert "TFBrandNewBert" not in (auto / "modeling_tf_auto.py").read_text()
    tokenization = (auto / "tokenization_auto.py").read_text()
    assert '("brand_new_bert", ("BertTokenizer", "BertTokenizerFast" if is_tokenizers_available() else None))' in tokenization
    configuration = (auto / "configuration_auto.py").read_text()
    assert '("brand_new_bert", "BrandNewBertConfig")' in configuration
    assert '("bert", "BERT"),\n        ("bertström", "Bertström"),\n        ("brand_new_bert", "BrandNewBert"),' in configuration
    models_init = (bert_copy / "src/transformers/models/__init__.py").read_text()
    assert "    bert,\n    brand_new_bert,\n    clip," in models_init
    top = (bert_copy / "src/transformers/__init__.py").read_text()
    assert '"models.brand_new_bert": [\n        "BrandNewBertConfig",\n    ],\n    "models.clip"' in top
    assert "from .models.brand_new_bert import BrandNewBertConfig\n    from .models.clip" in top
    assert "BrandNewBertTokenizer" not in top
    toctree = (bert_copy / "docs/source/en/_toctree.yml").read_text()
    assert "model_doc/bert\n      title: BERT\n    - local: model_doc/brand_new_bert\n      title: BrandNewBert\n" in toctree


def test_sub_model_types_are_registered_with_their_module(fixture_tree):
    root = fixture_tree("new_mini")
    assert run("new", "--like", "clip", "--name", "NewClip", "--repo", str(root)).returncode == 0
    configuration = (root / "src/transformers/models/auto/configuration_auto.py").read_text()
    assert '("new_clip_text_model", "new_clip"),' in configuration
    assert '("new_clip", "NewClipConfig")' in configuration
    text = (root / "src/transformers/models/new_clip/modeling_new_clip.py").read_text()
    assert "class NewClipMLP" in text and "torch.clip(" in text and "def new_clip_loss" in text
    assert 'model_type = "new_clip"' in (root / "src/transformers/models/new_clip/configuration_new_clip.py").read_text()


def test_copy_tokenizer_copies_and_registers_it(fixture_tree):
    root = fixture_tree("new_mini")
    assert run("new", "--like", "bert", "--name", "BrandNewBert", "--copy-tokenizer", "--repo", str(root)).returncode == 0
    assert (root / "src/transformers/models/brand_new_bert/tokenization_brand_new_bert.py").is_file()
    tokenization = (root / "src/transformers/models/auto/tokenization_auto.py").read_text()
    assert '("brand_new_bert", ("BrandNewBertTokenizer",' in tokenization


def test_dry_run_writes_nothing_and_shows_the_plan(fixture_tree):
    root = fixture_tree("new_mini")
    before = snapshot(root)
    result = run("new", "--like", "bert", "--name", "BrandNewBert", "--repo", str(root), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "src/transformers/models/brand_new_bert/modeling_brand_new_bert.py" in result.stdout
    assert '+        ("brand_new_bert", "BrandNewBertModel"),' in result.stdout
    assert snapshot(root) == before


def test_bad_input_is_one_line_and_writes_nothing(fixture_tree):
    root = fixture_tree("new_mini")
    before = snapshot(root)
    for arguments, message, code in [
        (["--like", "bert", "--name", "Roberta"], "already exists", 1),
        (["--like", "nope", "--name", "Fresh"], "no such model", 1),
        (["--like", "bert", "--name", "not-valid"], "not a valid Python identifier", 2),
        (["--like", "bert"], "missing --name", 2),
    ]:
        result = run("new", *arguments, "--repo", str(root))
        assert result.returncode == code
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
    assert snapshot(root) == before


def test_an_unparsable_source_writes_nothing(fixture_tree):
    root = fixture_tree("new_mini")
    (root / "src/transformers/models/bert/modeling_bert.py").write_text("class Broken(:\n")
    before = snapshot(root)
    result = run("new", "--like", "bert", "--name", "BrandNewBert", "--repo", str(root))
    assert result.returncode == 1 and "modeling_bert.py:1" in result.stderr
    assert snapshot(root) == before


def test_prompts_for_what_is_missing_in_a_terminal(fixture_tree, monkeypatch):
    root = fixture_tree("new_mini")
    monkeypatch.setattr("modelgen.scaffold.command.interactive", lambda: True)
    result = CliRunner().invoke(cli, ["new", "--repo", str(root)], input="bert\nBrandNewBert\n",
                                standalone_mode=False)
    assert result.exception is None, result.output
    assert (root / "src/transformers/models/brand_new_bert/modeling_brand_new_bert.py").is_file()


def test_no_tests_flag(fixture_tree):
    root = fixture_tree("new_mini")
    assert run("new", "--like", "bert", "--name", "BrandNewBert", "--no-tests", "--repo", str(root)).returncode == 0
    assert not (root / "tests/models/brand_new_bert").exists()


def test_check_copies_passes_and_reports_an_edit_of_the_old_block_at_the_copy(bert_copy):
    result = run("check-copies", "--repo", str(bert_copy), "--format", "json", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    modeling = bert_copy / "src/transformers/models/bert/modeling_bert.py"
    modeling.write_text(modeling.read_text().replace("-1.0, 1.0)", "-2.0, 2.0)"))
    result = run("check-copies", "--repo", str(bert_copy), "--format", "json", "--no-cache")
    assert result.returncode != 0
    assert "brand_new_bert/modeling_brand_new_bert.py" in result.stdout
    assert re.search(r"roberta/modeling_roberta.py", result.stdout)


def test_entries_with_non_ascii_text_are_copied(fixture_tree):
    """ast columns are byte offsets: an entry such as ("nystromformer", "Nyströmformer") must still be copied."""
    root = fixture_tree("new_mini")
    result = run("new", "--like", "roberta", "--name", "NewRoberta", "--repo", str(root))
    assert result.returncode == 0, result.stderr
    configuration = (root / "src/transformers/models/auto/configuration_auto.py").read_text()
    assert '        ("new_roberta", "NewRoberta"),\n        ("roberta", "RöBERTa"),\n' in configuration
    assert '("new_roberta", "NewRobertaConfig"),' in configuration


def test_checkpoint_option_replaces_the_old_checkpoint_everywhere(fixture_tree):
    root = fixture_tree("new_mini")
    result = run("new", "--like", "bert", "--name", "BrandNewBert", "--checkpoint", "acme/brand-new-bert-base",
                 "--repo", str(root))
    assert result.returncode == 0, result.stderr
    package = root / "src/transformers/models/brand_new_bert"
    modeling = (package / "modeling_brand_new_bert.py").read_text()
    assert '_CHECKPOINT_FOR_DOC = "acme/brand-new-bert-base"' in modeling
    assert "Checkpoint: acme/brand-new-bert-base." in modeling
    assert "[acme/brand-new-bert-base](https://huggingface.co/acme/brand-new-bert-base)" in (
        package / "configuration_brand_new_bert.py").read_text()
    assert run("new", "--like", "bert", "--name", "Other", "--checkpoint", "no-slash", "--repo",
               str(root)).returncode == 2


def test_dummy_objects_are_added_in_the_init_order(bert_copy):
    """4.x trees keep a dummy per torch export, in the `__init__`'s order (the library regenerates and compares):
    BrandNewBert's dummies go after Bert's and before CLIP's, renamed copies of Bert's."""
    text = (bert_copy / "src/transformers/utils/dummy_pt_objects.py").read_text()
    names = [node.name for node in ast.parse(text).body if isinstance(node, ast.ClassDef)]
    assert names == ["BertModel", "BertPreTrainedModel", "BrandNewBertModel", "BrandNewBertPreTrainedModel",
                     "CLIPModel", "RobertaModel"]
    assert "class BrandNewBertModel(metaclass=DummyObject):\n    _backends = [\"torch\"]\n" in text
    assert "\n\n\nclass CLIPModel" in text and "\n\n\nclass BrandNewBertModel" in text
