"""Property tests of the marker parser and the replacement engine: whatever follows `# Copied from`, the
result is a marker or a one-line error, within a bounded time, never an exception."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelgen.copies.bounded_regex import PatternTimeout
from modelgen.copies.markers import find_markers
from modelgen.copies.replacements import ReplacementSyntaxError, apply_replacements, parse_replacement_part

TIME_BOUND_S = 10  # the regex timeout is 0.5 s per pattern; a loaded machine overshoots it
PREFIX = "# Copied from transformers.models.bert.modeling_bert.BertSelfOutput"
SOURCE = (
    "class BertSelfOutput(nn.Module):\n"
    "    def __init__(self, config):\n"
    "        super().__init__()\n"
    "        self.dense = nn.Linear(config.hidden_size, config.hidden_size)  # BERT bert Bert\n"
    "        self.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = 1\n"
)
PIECES = ["with", " ", ",", "->", " -> ", "all-casing", "Bert", "Roberta", "BERT", "(", ")", "*", "+", "?", "|",
          "\\w", "\\", "[", "]", "{2}", ".", "^", "$", "a", "(?P<x>", "(?<=", "\t", "é", "#", '"""']
settings.register_profile("reliability", derandomize=True, deadline=None, max_examples=300,
                          suppress_health_check=[HealthCheck.too_slow])
profile = settings.get_profile("reliability")
free_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=60)
structured = st.lists(st.sampled_from(PIECES), max_size=24).map("".join)
rests = st.one_of(free_text, structured)


@settings(profile)
@given(rests)
def test_any_text_after_the_marker_is_a_marker_or_one_line_error(rest):
    started = time.monotonic()
    text = f"{PREFIX} {rest}\nclass RobertaSelfOutput(nn.Module):\n    pass\n"
    markers = find_markers(text, "transformers")
    assert time.monotonic() - started < TIME_BOUND_S
    for marker in markers:
        if marker.syntax_error is not None:
            assert "\n" not in marker.syntax_error and marker.syntax_error
        assert marker.line == 1


@settings(profile)
@given(rests)
def test_parsed_replacements_apply_or_report_a_timeout(rest):
    started = time.monotonic()
    try:
        pairs, _ = parse_replacement_part(rest)
    except ReplacementSyntaxError as error:
        assert "\n" not in str(error) and str(error)
        return
    try:
        result = apply_replacements(SOURCE, pairs)
    except PatternTimeout as error:
        assert "\n" not in str(error)
    else:
        assert isinstance(result, str)
    assert time.monotonic() - started < TIME_BOUND_S


@settings(profile, max_examples=40)
@given(rest=rests)
def test_the_checker_reports_any_marker_without_an_exception(rest, tmp_path_factory):
    from modelgen.copies.checker import CopyChecker
    from modelgen.repo import RepoLayout

    root = tmp_path_factory.mktemp("tree")
    package = root / "src/transformers/models"
    for folder, text in (("bert", SOURCE), ("roberta", f"{PREFIX} {rest}\n" + SOURCE.replace("Bert", "Roberta"))):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
        (package / folder / f"modeling_{folder}.py").write_text("from torch import nn\n\n\n" + text)
    (root / "src/transformers/__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    started = time.monotonic()
    report = CopyChecker(RepoLayout.discover(root), use_cache=False).check()
    assert time.monotonic() - started < TIME_BOUND_S * 2
    for finding in report.findings + report.notes:
        assert "\n" not in finding.message and finding.line >= 1
