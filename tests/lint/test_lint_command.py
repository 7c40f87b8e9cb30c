"""`modelgen lint` end to end on the small fixture trees: outputs, exit codes, configuration, suppressions."""

from __future__ import annotations

import json

import pytest
from lint_cli import MODELING, lint


def test_text_output_and_exit_code_one_on_findings(fixture_tree):
    repo = fixture_tree("lint_basic")
    result = lint(repo)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        (
            f"{MODELING}:14:9: MG108 random initialisation `nn.init.xavier_uniform_` outside `_init_weights`: "
            "move it into the pre-trained model's `_init_weights`"
        ),
        f"{MODELING}:16:23: MG105 one-letter parameter name `x`: name what it holds",
        f"{MODELING}:17:9: MG106 abbreviated variable name `attn_weights`: write `attention_weights`",
    ]


def test_clean_files_exit_zero(fixture_tree):
    repo = fixture_tree("lint_basic")
    result = lint(repo, "src/transformers/models/clean_model")
    assert (result.returncode, result.stdout) == (0, "")


def test_json_and_github_formats(fixture_tree):
    repo = fixture_tree("lint_basic")
    findings = json.loads(lint(repo, "--format", "json").stdout)
    assert [(f["line"], f["column"], f["code"]) for f in findings] == [
        (14, 9, "MG108"),
        (16, 23, "MG105"),
        (17, 9, "MG106"),
    ]
    assert set(findings[0]) == {"path", "line", "column", "code", "message"}
    assert findings[0]["path"] == MODELING
    github = lint(repo, "--format", "github", "--select", "MG105").stdout.strip()
    assert github.startswith(f"::error file={MODELING},line=16,col=23,title=MG105::MG105 one-letter")
    clean = lint(repo, "--format", "json", "src/transformers/models/clean_model")
    assert (clean.returncode, json.loads(clean.stdout)) == (0, [])


def test_select_and_ignore(fixture_tree):
    repo = fixture_tree("lint_basic")
    assert [line.split()[1] for line in lint(repo, "--select", "MG105,MG106").stdout.splitlines()] == [
        "MG105",
        "MG106",
    ]
    assert [line.split()[1] for line in lint(repo, "--ignore", "MG105,MG108").stdout.splitlines()] == [
        "MG106"
    ]


def test_unknown_code_on_the_command_line_is_a_usage_error(fixture_tree):
    repo = fixture_tree("lint_basic")
    result = lint(repo, "--select", "MG105,MG999")
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "error: --select: unknown rule code MG999 (see `modelgen lint --list-rules`)"
    )
    assert lint(repo, "--explain", "MG998").returncode == 2


def test_configuration_in_pyproject(fixture_tree):
    repo = fixture_tree("lint_basic")
    (repo / "pyproject.toml").write_text(
        '[tool.modelgen.lint]\nignore = ["MG108"]\n'
        'per-file-ignores = { "src/transformers/models/brand_new_bert/modeling_*.py" = ["MG105"] }\n'
        'abbreviations = { weights = "weight_values" }\n'
    )
    lines = lint(repo).stdout.splitlines()
    assert lines == [
        f"{MODELING}:17:9: MG106 abbreviated variable name `attn_weights`: write `attn_weight_values`"
    ]


@pytest.mark.parametrize(
    "table, message",
    [
        ('select = ["MG105", "MG777"]', "select: unknown rule code MG777"),
        ('per-file-ignores = { "*.py" = ["XX1"] }', "per-file-ignores '*.py': unknown rule code XX1"),
        ('colour = "red"', "unknown key colour"),
        ('abbreviations = ["act"]', "abbreviations: expected a table"),
    ],
)
def test_bad_configuration_is_one_line_and_exit_two(fixture_tree, table, message):
    repo = fixture_tree("lint_basic")
    (repo / "pyproject.toml").write_text(f"[tool.modelgen.lint]\n{table}\n")
    result = lint(repo)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_suppressions_on_the_line_above_and_unknown_codes(fixture_tree):
    repo = fixture_tree("lint_basic")
    path = repo / MODELING
    text = path.read_text()
    text = text.replace(
        "        nn.init.xavier_uniform_(self.dense.weight)\n",
        "        # modelgen: ignore[MG108]\n        nn.init.xavier_uniform_(self.dense.weight)\n",
    )
    text = text.replace(
        "torch.Tensor) -> torch.Tensor:\n        attn_weights",
        "torch.Tensor) -> torch.Tensor:  # modelgen: ignore[MG105, MG321]\n        attn_weights",
    )
    text = text.replace("softmax(-1)\n", "softmax(-1)  # modelgen: ignore\n")
    path.write_text(text)
    result = lint(repo)
    assert result.stdout.splitlines() == [
        f"{MODELING}:17:58: MG001 unknown rule code `MG321` in a `# modelgen: ignore` comment"
    ]


def test_a_file_that_does_not_parse_is_a_finding(fixture_tree):
    repo = fixture_tree("lint_basic")
    (repo / MODELING).write_text("class Broken(:\n    pass\n")
    (repo / "src/transformers/models/brand_new_bert/configuration_brand_new_bert.py").write_bytes(
        b"x = '\xff'\n"
    )
    result = lint(repo, "--format", "json")
    findings = json.loads(result.stdout)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert sorted((f["path"].rsplit("/", 1)[1], f["code"]) for f in findings) == [
        ("configuration_brand_new_bert.py", "MG000"),
        ("modeling_brand_new_bert.py", "MG000"),
    ]


def test_missing_path_and_list_and_explain(fixture_tree):
    repo = fixture_tree("lint_basic")
    missing = lint(repo, "no/such/file.py")
    assert missing.returncode == 1 and missing.stderr.startswith("error: no/such/file.py: no such file")
    listing = lint(repo, "--list-rules").stdout
    assert "MG106  no-abbreviations" in listing and len(listing.splitlines()) == 13
    explained = lint(repo, "--explain", "MG101").stdout
    assert explained.startswith("MG101 no-sequential-subclass") and "Fix: no safe fix" in explained
    assert "Bad:" in explained and "class Block(nn.Sequential):" in explained
    assert "Fix: safe fix for local variables" in lint(repo, "--explain", "mg106").stdout


def test_fix_renames_local_abbreviations_and_reports_the_rest(fixture_tree):
    repo = fixture_tree("lint_basic")
    result = lint(repo, "--fix")
    assert result.returncode == 1
    assert "fixed 1 file" in result.stderr
    text = (repo / MODELING).read_text()
    assert "attention_weights = self.dense(x).softmax(-1)\n        return attention_weights * x" in text
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["MG108", "MG105"]
    again = lint(repo, "--fix")
    assert "fixed" not in again.stderr and (repo / MODELING).read_text() == text
