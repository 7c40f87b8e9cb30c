"""Checking every marker of a repository, and fixing the copies that drifted.

`CopyChecker.check()` compares each copy with its source (results cached per copy file, keyed by the
content hashes of that file and of every file it copies from). `CopyChecker.fix()` repairs drifted copies
in dependency order, so copies of copies converge in one run, then writes every changed file atomically.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from modelgen.cache import FileFingerprints, ResultCache, combined_hash
from modelgen.changeset import ChangeSet
from modelgen.copies.blocks import SourceText
from modelgen.copies.bounded_regex import PatternTimeout
from modelgen.copies.cache_entries import result_entry
from modelgen.copies.comparison import Expectation, build_expectation, is_consistent, same_code
from modelgen.copies.dialects import dialect_for
from modelgen.copies.file_problems import report_file_problems
from modelgen.copies.fixing import dependency_order, minimal_repair
from modelgen.copies.markers import Marker, find_markers
from modelgen.copies.resolution import ResolutionError, Resolver, SourceBlock, TextStore
from modelgen.copies.safety import check_rewrites
from modelgen.copies.scan import MarkedFile, is_test_file, outermost_markers, scan_markers
from modelgen.errors import ModelgenError
from modelgen.files import FileProblem
from modelgen.formatting import format_snippets
from modelgen.repo import RepoLayout

CHECK_VERSION = "1"
MAX_FIX_ROUNDS = 50  # copies of copies of ...: each round repairs one more level


@dataclass
class Finding:
    path: str  # relative to the repository root
    line: int  # 1-based line of the marker
    source: str  # the marker's dotted target
    kind: str  # "drift" | "error" | "note"
    message: str
    diff: str = ""

    def to_json(self, with_diff: bool = False) -> dict:
        data = asdict(self)
        if not with_diff:
            data.pop("diff")
        return data


@dataclass
class CheckReport:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.findings


@dataclass
class _Outcome:
    """One marker examined against the current texts."""

    path: Path
    marker: Marker
    kind: str  # "ok" | "drift" | "error" | "skipped" (a misspelt marker, not checked)
    message: str = ""
    source: SourceBlock | None = None
    header: int = 0
    end: int = 0
    expectation: Expectation | None = None
    repaired: list[str] | None = None  # the copy's block after a fix (drift only)
    notes: list[str] = field(default_factory=list)


class CopyChecker:
    def __init__(self, layout: RepoLayout, use_cache: bool = True, strict_markers: bool = False):
        self.layout = layout
        self.dialect = dialect_for(layout)
        self.strict_markers = strict_markers
        self.cache = ResultCache("check-copies", layout.root, enabled=use_cache)
        self.fingerprints = FileFingerprints(self.cache)
        self.texts = TextStore()
        self.resolver = Resolver(layout, self.texts)
        self._syntax_errors: dict[tuple[Path, int], SyntaxError | None] = {}

    # ----------------------------------------------------------------- checking
    def check(self, paths: list[Path] | None = None) -> CheckReport:
        """Check every marker, or with `paths` those in the paths plus the copies of sources in them.

        Files are scanned and checked one after the other, so a file's text is still in memory when checked.
        The drifted copies of every file are formatted together at the end (one ruff process in all).
        """
        wanted = None if paths is None else {path.resolve() for path in paths}
        report = CheckReport()
        self._marked_paths = []
        problems: list[FileProblem] = []
        self._copy_sites_by_source: dict[Path | None, set[tuple[Path, str]]] = {}  # source -> (copy file, target)
        results: list[tuple[list[dict] | list[_Outcome], set[int] | None, str]] = []
        drifted: list[_Outcome] = []
        for marked_file in scan_markers(self.layout, self.cache, self.fingerprints, self.texts, problems,
                                        self.dialect):
            self._marked_paths.append(marked_file.path)
            for marker in marked_file.markers:
                self._copy_sites_by_source.setdefault(self._source_file(marker), set()).add((marked_file.path, marker.target))
            lines = self._selected_lines(marked_file, wanted)
            if lines is not None and not lines:
                continue
            key = self._cache_key(marked_file)
            stored = self.cache.get(key, shape=result_entry)
            if stored is None:
                outcomes = [self._examine(marked_file.path, marker) for marker in marked_file.markers]
                drifted.extend(outcome for outcome in outcomes if outcome.kind == "drift")
                results.append((outcomes, lines, key))
            else:
                results.append((stored, lines, ""))
        self._repair_all(drifted)
        for stored, lines, key in results:
            if key:
                stored = [self._record(outcome) for outcome in stored]
                self.cache.put(key, stored)
            self._collect(report, stored, lines)
        report_file_problems(report, problems, self.layout, wanted)
        self.cache.save(prune=paths is None)
        return report

    def _selected_lines(self, marked_file: MarkedFile, wanted: set[Path] | None) -> set[int] | None:
        """None for every marker of the file, else the lines of the markers to report (maybe none)."""
        if wanted is None or marked_file.path in wanted:
            return None
        return {marker.line for marker in marked_file.markers if self._source_file(marker) in wanted}

    def _source_file(self, marker: Marker) -> Path | None:
        try:
            return self.resolver.split_target(marker.target)[0]
        except ResolutionError:
            return None

    def _cache_key(self, marked_file: MarkedFile) -> str:
        parts = [CHECK_VERSION, self.dialect.name, str(self.strict_markers), marked_file.content_hash]
        for marker in marked_file.markers:
            source = self._source_file(marker)
            parts.append(self.fingerprints.hash(source) if source is not None else f"missing:{marker.target}")
        return "result:" + combined_hash(*parts)

    def _record(self, outcome: _Outcome) -> dict:
        relative = self.layout.relative(outcome.path)
        finding = None
        if outcome.kind == "drift":
            block = self.texts.get(outcome.path).lines[outcome.header : outcome.end]
            first = _first_changed_line(block, outcome.repaired)
            message = f"copy of {outcome.marker.target} drifted (first difference at line {outcome.header + first + 1})"
            diff = "".join(difflib.unified_diff(block, outcome.repaired, f"a/{relative}", f"b/{relative}"))
            finding = Finding(relative, outcome.marker.line, outcome.marker.target, "drift", message, diff)
        elif outcome.kind == "error":
            finding = Finding(relative, outcome.marker.line, outcome.marker.target, "error", outcome.message)
        notes = [
            asdict(Finding(relative, outcome.marker.line, outcome.marker.target, "note", message))
            for message in outcome.notes
        ]
        return {"line": outcome.marker.line, "kind": outcome.kind, "finding": finding and asdict(finding), "notes": notes}

    def _collect(self, report: CheckReport, stored: list[dict], lines: set[int] | None) -> None:
        for item in stored:
            if lines is not None and item["line"] not in lines:
                continue
            if item["kind"] in ("ok", "drift"):  # an error or a skipped marker was not compared
                report.checked += 1
            if item["finding"]:
                report.findings.append(Finding(**item["finding"]))
            for note in item["notes"]:
                if self.strict_markers:
                    report.findings.append(Finding(**{**note, "kind": "error"}))
                else:
                    report.notes.append(Finding(**note))

    # ---------------------------------------------------------------- examining
    def _examine(self, path: Path, marker: Marker, explain_unparsable: bool = True) -> _Outcome:
        outcome = self._compare(path, marker, explain_unparsable)
        if marker.misspelling is not None:
            outcome.notes.insert(0, f"misspelt marker `{marker.misspelling}` (meant `# Copied from {marker.target}`)")
            if not self.strict_markers:
                outcome.kind = "skipped"  # unchecked, as the reference leaves it; the note says so
                outcome.notes[0] += "; its copy is not checked until the spelling is fixed"
        outcome.notes.extend(f"replacement `{item}` is not applied ({_why_ignored(item)})" for item in marker.ignored_items)
        return outcome

    def _compare(self, path: Path, marker: Marker, explain_unparsable: bool = True) -> _Outcome:
        if marker.syntax_error is not None:
            return _Outcome(path, marker, "error", f"replacement part cannot be parsed: {marker.syntax_error}")
        text = self.texts.get(path)
        definition = text.first_definition_after(marker.line - 1)
        if definition is None:
            return _Outcome(path, marker, "error", "marker is not followed by a class or function definition")
        try:
            source = self.resolver.resolve(marker.target)
        except ResolutionError as error:
            return _Outcome(path, marker, "error", f"cannot resolve {marker.target}: {error}")
        except (OSError, UnicodeDecodeError, FileProblem) as error:
            return _Outcome(path, marker, "error", f"cannot read the source of {marker.target}: {error}")
        if source.path == path and source.start == definition.header:
            return _Outcome(path, marker, "ok", notes=[f"marker points at its own definition {marker.target}"])
        end = text.block_end(definition.header, stop_at_end_copy=True)
        source_text = self.texts.get(source.path)
        try:
            expectation = build_expectation(
                source_text.lines[source.start : source.end],
                source_text.lines_in_strings_between(source.start, source.end),
                marker.replacements,
                text.lines[definition.header : end],
                text.lines_in_strings_between(definition.header, end),
                compare_signature=self.dialect.compare_signature,
            )
        except PatternTimeout as error:
            return _Outcome(path, marker, "error", f"replacement not applied: {error}")
        outcome = _Outcome(path, marker, "ok", source=source, header=definition.header, end=end, expectation=expectation)
        if source.note:
            outcome.notes.append(source.note)
        if not is_consistent(expectation):
            outcome.kind = "drift"
            if explain_unparsable:
                self._explain_unparsable(outcome, source_text)
        return outcome

    def _explain_unparsable(self, outcome: _Outcome, source_text: SourceText) -> None:
        """A drift caused by a file that does not parse is reported as that error instead."""
        for label, path, text in (("file", outcome.path, self.texts.get(outcome.path)), ("source", outcome.source.path, source_text)):
            error = self._syntax_error(path, text)
            if error is not None:
                where = f"{self.layout.relative(path)}:{error.lineno}"
                outcome.kind, outcome.message = "error", f"{label} does not parse ({where}: {error.msg})"
                return

    def _syntax_error(self, path: Path, text: SourceText) -> SyntaxError | None:
        """Parsed once per path and content: a fix examines the same sources and copies again and again."""
        key = (path, hash(text.text))
        if key not in self._syntax_errors:
            self._syntax_errors[key] = text.syntax_error
        return self._syntax_errors[key]

    def _repair_all(self, outcomes: list[_Outcome]) -> None:
        """Compute each drifted copy's repaired block (one ruff process for all of them)."""
        if not outcomes:
            return
        snippets = ["".join(outcome.expectation.full_expected) for outcome in outcomes]
        formatted = self._format(snippets, outcomes)
        for outcome, text in zip(outcomes, formatted):
            if text is None:
                continue
            observed = self.texts.get(outcome.path).lines[outcome.header : outcome.end]
            expected_lines = text.splitlines(keepends=True)
            outcome.repaired = minimal_repair(observed, expected_lines)
            if outcome.repaired == observed or same_code(observed, expected_lines):
                outcome.kind = "ok"  # differed from the source only in formatting

    def _format(self, snippets: list[str], outcomes: list[_Outcome]) -> list[str | None]:
        try:
            return format_snippets(snippets, self.layout.settings)
        except ModelgenError:
            results: list[str | None] = []
            for snippet, outcome in zip(snippets, outcomes):
                try:
                    results.append(format_snippets([snippet], self.layout.settings)[0])
                except ModelgenError as error:
                    outcome.kind = "error"
                    outcome.message = f"the source of {outcome.marker.target} with the replacements does not parse ({error})"
                    results.append(None)
            return results

    # ------------------------------------------------------------------- fixing
    def fix(self, paths: list[Path] | None = None) -> CheckReport:
        """Repair every drifted copy, dependencies first; write all changes atomically at the end.

        The drifted copies are repaired in dependency order; then the copies of every block that changed are
        examined again (a repaired copy may be the source of other copies), round after round, until
        nothing drifts. Errors found by the check stay findings: they cannot be fixed. Only what the fix
        touched is examined again: a copy whose source block did not change cannot start drifting.

        With `paths`, only what `check(paths)` reports is repaired, and after it only the copies of the
        blocks this fix rewrote: drift elsewhere, even in the same files, is left alone.
        """
        initial = self.check(paths)
        report = CheckReport(notes=initial.notes)
        report.findings = [finding for finding in initial.findings if finding.kind != "drift"]
        pending = [self._identity((self.layout.root / f.path, f.line)) for f in initial.findings if f.kind == "drift"]
        changes = ChangeSet(self.layout.root)
        cyclic: set = set()
        touched = set(pending)
        for _ in range(MAX_FIX_ROUNDS):
            if not pending:
                break
            dependencies = {identity: self._dependencies(identity, pending) for identity in pending}
            order, cycles = dependency_order(pending, dependencies.__getitem__)
            report.findings.extend(self._cycle_finding(cycle) for cycle in cycles)
            cyclic.update(identity for cycle in cycles for identity in cycle)
            repaired = set()
            for level in _levels(order, dependencies):
                repaired |= self._repair(level, changes)
            pending = self._drifted(self._copies_of_blocks(repaired), exclude=cyclic)
            touched.update(pending)
        self._validate(changes)
        verification = self._verify(sorted(touched), exclude=cyclic)
        report.checked = initial.checked
        report.findings.extend(verification)
        report.written = [self.layout.relative(path) for path in changes.write()]
        return report

    def _repair(self, identities: list, changes: ChangeSet) -> set:
        """Fix in memory the copies among `identities` that drift (independent of each other: one ruff
        process for all); the identities of the copies that changed.

        Files are not parsed whole here: the check already turned a drift in an unparsable file into an
        error, and every rewritten file is parsed by `_validate` before anything is written."""
        examined = [(identity, self._examine(*located, explain_unparsable=False))
                    for identity in identities if (located := self._locate(identity))]
        drifted = [(identity, outcome) for identity, outcome in examined if outcome.kind == "drift"]
        self._repair_all([outcome for _, outcome in drifted])
        by_file: dict[Path, list[_Outcome]] = {}
        repaired = set()
        for identity, outcome in drifted:
            if outcome.kind == "drift" and outcome.repaired is not None:
                by_file.setdefault(outcome.path, []).append(outcome)
                repaired.add(identity)
        for path, file_outcomes in by_file.items():
            lines = list(self.texts.get(path).lines)
            for outcome in sorted(file_outcomes, key=lambda outcome: outcome.header, reverse=True):
                lines[outcome.header : outcome.end] = outcome.repaired
            self.texts.put(path, "".join(lines))
            changes.set(path, "".join(lines))
        return repaired

    def _dependencies(self, identity, candidates) -> list:
        """Candidates whose copy lies inside this copy's source block: they are repaired first."""
        located = self._locate(identity)
        if located is None:
            return []
        try:
            source = self.resolver.resolve(located[1].target)
        except (ResolutionError, OSError, UnicodeDecodeError):
            return []
        dependencies = []
        for other in candidates:
            if other == identity or other[0] != source.path:
                continue
            other_located = self._locate(other)
            if other_located is None:
                continue
            text = self.texts.get(other[0])
            definition = text.first_definition_after(other_located[1].line - 1)
            if definition and definition.header < source.end and source.start < text.block_end(definition.header, True):
                dependencies.append(other)
        return dependencies

    def _cycle_finding(self, cycle) -> Finding:
        path, marker = self._locate(cycle[0])
        chain = " -> ".join(self._locate(identity)[1].target for identity in cycle)
        return Finding(self.layout.relative(path), marker.line, marker.target, "error", f"copies form a cycle: {chain}")

    def _copies_of_blocks(self, identities: set) -> list:
        """Identities of the markers anywhere whose source block overlaps one of these copies' blocks."""
        regions: dict[Path, list[tuple[int, int]]] = {}
        for identity in identities:
            located = self._locate(identity)
            text = self.texts.get(identity[0])
            definition = located and text.first_definition_after(located[1].line - 1)
            if definition is not None:
                regions.setdefault(identity[0], []).append((definition.header, text.block_end(definition.header, True)))
        wanted: dict[Path, set[str]] = {}
        for copy_path, target in {site for path in regions for site in self._copy_sites_by_source.get(path, ())}:
            try:
                source = self.resolver.resolve(target)
            except (ResolutionError, OSError, UnicodeDecodeError):
                continue
            if any(start < source.end and source.start < end for start, end in regions.get(source.path, ())):
                wanted.setdefault(copy_path, set()).add(target)
        return [
            identity
            for path in self._marked_paths if path in wanted
            for identity, marker in self._markers_by_identity(path).items() if marker.target in wanted[path]
        ]

    def _drifted(self, identities: list, exclude: set) -> list:
        drifted = []
        for identity in identities:
            if identity in exclude:
                continue
            located = self._locate(identity)
            if located is not None and self._examine(*located).kind == "drift":
                drifted.append(identity)
        return drifted

    def _verify(self, identities: list, exclude: set) -> list[Finding]:
        """What still drifts among the copies touched by the fix: it could not be fixed."""
        findings = []
        for identity in identities:
            located = None if identity in exclude else self._locate(identity)
            if located is None:
                continue
            outcome = self._examine(*located)
            if outcome.kind == "drift":
                self._repair_all([outcome])
            if outcome.kind == "drift":
                finding = Finding(**self._record(outcome)["finding"])
                finding.message = finding.message.replace("drifted", "still drifts after fixing")
                findings.append(finding)
        return findings

    def _identity(self, site: tuple[Path, int]) -> tuple[Path, str, int]:
        """A marker's identity that survives edits above it: its file, the copy's qualified name, a count."""
        path, line = site
        return next(identity for identity, marker in self._markers_by_identity(path).items() if marker.line == line)

    def _locate(self, identity: tuple[Path, str, int]) -> tuple[Path, Marker] | None:
        marker = self._markers_by_identity(identity[0]).get(identity)
        return None if marker is None else (identity[0], marker)

    def _markers_by_identity(self, path: Path) -> dict[tuple[Path, str, int], Marker]:
        """The markers of the file's current text by identity (computed once per text version)."""
        text = self.texts.get(path)
        if getattr(text, "_markers_by_identity", None) is None:
            index: dict[tuple[Path, str, int], Marker] = {}
            counts: dict[str, int] = {}
            markers = find_markers(text.text, self.layout.package, is_test_file(self.layout, path), self.dialect)
            for marker in outermost_markers(text, markers):
                definition = text.first_definition_after(marker.line - 1)
                qualname = text.qualname_at(definition.header) if definition else f"<line {marker.line}>"
                counts[qualname] = counts.get(qualname, 0) + 1
                index[(path, qualname, counts[qualname])] = marker
            text._markers_by_identity = index
        return text._markers_by_identity

    def _validate(self, changes: ChangeSet) -> None:
        rewrites = {path: (path.read_text(encoding="utf-8"), changes.new_texts[path]) for path in changes.changed_paths()}
        check_rewrites(rewrites, self.layout.relative)


def _levels(order: list, dependencies: dict) -> list[list]:
    """Group an ordered list so each group depends only on earlier groups."""
    level: dict = {}
    for node in order:
        level[node] = 1 + max((level[other] for other in dependencies[node] if other in level), default=-1)
    return [[node for node in order if level[node] == depth] for depth in range(max(level.values(), default=-1) + 1)]


def _why_ignored(item: str) -> str:
    if re.search(r"\s->|->\s", item):
        return "spaces around the arrow, as the reference checker reads it"
    return "a side is a phrase"


def _first_changed_line(before: list[str], after: list[str]) -> int:
    for index, (old, new) in enumerate(zip(before, after)):
        if old != new:
            return index
    return min(len(before), len(after))
