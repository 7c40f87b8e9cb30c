"""Golden outputs of check-copies on the fixture trees in fixtures/copies_*."""

import filecmp
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from modelgen.cli import cli

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def run(*arguments):
    result = CliRunner().invoke(cli, ["check-copies", "--no-cache", *map(str, arguments)], standalone_mode=False)
    assert result.exception is None, result.exception
    return result


def check_json(repo, *extra):
    result = run("--repo", repo, "--format", "json", *extra)
    return json.loads(result.stdout), result.return_value


def without_diffs(report):
    return {**report, "findings": [{k: v for k, v in finding.items() if k != "diff"} for finding in report["findings"]]}


def test_every_marker_form_is_consistent():
    report, code = check_json(FIXTURES / "copies_forms")
    assert report == {"checked": 13, "findings": [], "notes": []}
    assert code == 0


def test_drifts_match_golden_output():
    report, code = check_json(FIXTURES / "copies_drift")
    assert report == json.loads((FIXTURES / "copies_drift" / "expected_check.json").read_text())
    assert code == 1


def test_errors_match_golden_output():
    report, code = check_json(FIXTURES / "copies_errors")
    assert report == json.loads((FIXTURES / "copies_errors" / "expected_check.json").read_text())
    assert code == 1


def test_strict_markers_turn_notes_into_errors_and_check_misspelt_markers():
    report, _ = check_json(FIXTURES / "copies_errors", "--strict-markers")
    assert report == json.loads((FIXTURES / "copies_errors" / "expected_check_strict.json").read_text())
    assert report["notes"] == []


def test_fix_restores_every_copy_and_keeps_ignored_code(fixture_tree):
    repo = fixture_tree("copies_drift")
    (repo / "expected_check.json").unlink()
    result = run("--repo", repo, "--fix")
    assert result.return_value == 0
    forms = FIXTURES / "copies_forms"
    for relative in ["src/transformers/models/mistral/modeling_mistral.py", "tests/models/roberta/test_modeling_roberta.py",
                     "src/transformers/models/camembert/modeling_camembert.py"]:
        assert (repo / relative).read_text() == (forms / relative).read_text(), relative
    roberta = (repo / "src/transformers/models/roberta/modeling_roberta.py").read_text()
    assert "edited freely" in roberta  # the `# Ignore copy` method kept its own body
    assert roberta.replace("edited freely", "with its own representation") == (
        forms / "src/transformers/models/roberta/modeling_roberta.py"
    ).read_text()
    again = run("--repo", repo, "--fix")
    assert again.return_value == 0


def test_fix_keeps_the_copy_name_without_replacements(fixture_tree):
    repo = fixture_tree("copies_forms")
    path = repo / "src/transformers/models/roberta/modeling_roberta.py"
    path.write_text(path.read_text().replace("hidden_states = self.LayerNorm(hidden_states + input_tensor)", "hidden_states = hidden_states + input_tensor"))
    run("--repo", repo, "--fix")
    assert "class RobertaSelfOutput(nn.Module):" in path.read_text()
    assert path.read_text() == (FIXTURES / "copies_forms/src/transformers/models/roberta/modeling_roberta.py").read_text()


def test_copies_of_copies_converge_in_one_fix(fixture_tree):
    repo = fixture_tree("copies_forms")
    bert = repo / "src/transformers/models/bert/modeling_bert.py"
    bert.write_text(bert.read_text().replace("        hidden_states = self.dropout(hidden_states)\n        hidden_states = self.LayerNorm", "        hidden_states = self.dropout(hidden_states) * 0.5\n        hidden_states = self.LayerNorm", 1))
    report, code = check_json(repo)
    assert {finding["path"] for finding in report["findings"]} == {"src/transformers/models/roberta/modeling_roberta.py"}
    assert run("--repo", repo, "--fix").return_value == 0
    camembert = (repo / "src/transformers/models/camembert/modeling_camembert.py").read_text()
    assert "self.dropout(hidden_states) * 0.5" in camembert  # repaired from the repaired roberta in the same run
    report, code = check_json(repo)
    assert (report["findings"], code) == ([], 0)


def test_cycle_is_an_error_and_the_rest_is_fixed(fixture_tree):
    repo = fixture_tree("copies_cycle")
    (repo / "expected_check.json").unlink()
    report, code = check_json(repo)
    assert report == json.loads((FIXTURES / "copies_cycle" / "expected_check.json").read_text())
    result = run("--repo", repo, "--fix", "--format", "json")
    fixed = json.loads(result.stdout)
    assert result.return_value == 1
    assert [finding["message"] for finding in fixed["findings"]] == [
        "copies form a cycle: transformers.models.beta.modeling_beta.BetaBlock -> transformers.models.alpha.modeling_alpha.AlphaBlock"
    ]
    assert "return 3" in (repo / "src/transformers/models/beta/modeling_beta.py").read_text()


def test_a_failing_fix_writes_nothing(fixture_tree, monkeypatch):
    repo = fixture_tree("copies_drift")
    before = {path: path.read_bytes() for path in repo.rglob("*.py")}
    from modelgen import transaction

    calls = []
    real_apply = transaction._apply

    def failing_apply(entry):
        calls.append(entry)
        if len(calls) == 2:
            raise OSError("disk full")
        real_apply(entry)

    monkeypatch.setattr(transaction, "_apply", failing_apply)
    result = CliRunner().invoke(cli, ["check-copies", "--no-cache", "--repo", str(repo), "--fix"], standalone_mode=False)
    assert isinstance(result.exception, OSError)
    assert {path: path.read_bytes() for path in repo.rglob("*.py")} == before


def test_pristine_fixture_is_untouched_by_check(fixture_tree):
    repo = fixture_tree("copies_drift")
    run("--repo", repo)
    comparison = filecmp.dircmp(repo, FIXTURES / "copies_drift")
    assert not comparison.diff_files
    shutil.rmtree(repo)
