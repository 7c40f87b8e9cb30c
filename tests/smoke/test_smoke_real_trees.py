"""`modelgen smoke` on the pinned transformers trees, a handful of models (the whole zoo is a benchmark)."""

import pytest

from modelgen.repo import RepoLayout
from modelgen.smoke.runner import run_smoke

MODELS = ["bert", "gpt2", "t5", "vit", "whisper", "llama"]


def assert_all_pass(results):
    failing = {r.model_type: r.error for r in results if r.status != "pass"}
    assert not failing, failing
    for result in results:
        assert result.classes and all(entry["params"] for entry in result.classes)


@pytest.mark.real_tree
def test_handful_of_models_pass_on_446(pristine_446):
    assert_all_pass(run_smoke(RepoLayout.discover(pristine_446), MODELS, jobs=2))


@pytest.mark.real_tree
def test_handful_of_models_pass_on_523(pristine_523, python_523):
    assert_all_pass(run_smoke(RepoLayout.discover(pristine_523), MODELS, jobs=2, python=python_523))
