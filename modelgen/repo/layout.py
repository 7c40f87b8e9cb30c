"""Where things live in a transformers-style repository, discovered with zero configuration.

The conventional layout is `src/<package>/models/<model_type>/` for the library, `tests/models/<model_type>/`
for the tests and `docs/source/en/` for the documentation. `[tool.modelgen]` in the target repository's
`pyproject.toml` may override `package`, `src` (the folder holding the package), `tests` and `docs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from modelgen.errors import ModelgenError
from modelgen.repo.settings import RepoSettings, read_settings


@dataclass(frozen=True)
class RepoLayout:
    root: Path
    package: str
    package_dir: Path
    tests_dir: Path
    docs_dir: Path
    settings: RepoSettings

    @classmethod
    def discover(cls, root: Path) -> RepoLayout:
        root = root.resolve()
        settings = read_settings(root)
        configured = settings.modelgen
        src_dir = root / configured.get("src", "src")
        package = configured.get("package") or _guess_package(src_dir, root)
        package_dir = src_dir / package
        if not (package_dir / "models").is_dir():
            raise ModelgenError(f"no models/ folder in the package {package_dir}", root)
        return cls(
            root=root,
            package=package,
            package_dir=package_dir,
            tests_dir=root / configured.get("tests", "tests"),
            docs_dir=root / configured.get("docs", "docs/source/en"),
            settings=settings,
        )

    @property
    def models_dir(self) -> Path:
        return self.package_dir / "models"

    @property
    def auto_dir(self) -> Path:
        return self.models_dir / "auto"

    @cached_property
    def model_types(self) -> list[str]:
        """Folder names of the models (`bert`, `xlm_roberta`, ...), sorted; `auto` and `deprecated` excluded."""
        return sorted(
            path.name
            for path in self.models_dir.iterdir()
            if path.is_dir() and (path / "__init__.py").is_file() and path.name not in {"auto", "deprecated"}
        )

    def model_dir(self, model_type: str) -> Path:
        return self.models_dir / model_type

    def relative(self, path: Path) -> str:
        """A path relative to the repository root, with forward slashes, as findings report it."""
        path = path if path.is_absolute() else path.resolve()
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            try:
                return path.resolve().relative_to(self.root).as_posix()
            except ValueError:
                return path.as_posix()

    def module_file(self, dotted: str) -> Path | None:
        """The file of a dotted module name (`transformers.models.bert.modeling_bert`, `tests.models...`)."""
        head, _, rest = dotted.partition(".")
        if head == self.package:
            base = self.package_dir
        elif head == self.tests_dir.name:
            base = self.tests_dir
        else:
            return None
        relative = Path(*rest.split(".")) if rest else Path()
        candidate = base / relative.with_suffix(".py") if rest else None
        if candidate is not None and candidate.is_file():
            return candidate
        init = base / relative / "__init__.py"
        return init if init.is_file() else None

    def module_name(self, path: Path) -> str | None:
        """The dotted module name of a file in the package or the tests, or None outside both."""
        path = path.resolve()
        for base, prefix in ((self.package_dir, self.package), (self.tests_dir, self.tests_dir.name)):
            try:
                parts = list(path.relative_to(base.resolve()).with_suffix("").parts)
            except ValueError:
                continue
            if parts and parts[-1] == "__init__":
                parts.pop()
            return ".".join([prefix, *parts])
        return None


def _guess_package(src_dir: Path, root: Path) -> str:
    if not src_dir.is_dir():
        raise ModelgenError("no src/ folder: not a transformers-style repository (set [tool.modelgen] src)", root)
    candidates = sorted(
        path.name for path in src_dir.iterdir() if (path / "__init__.py").is_file() and (path / "models").is_dir()
    )
    if len(candidates) != 1:
        found = ", ".join(candidates) or "none"
        raise ModelgenError(
            f"cannot tell the library package under src/ (found: {found}); set [tool.modelgen] package", root
        )
    return candidates[0]


def find_repo_root(start: Path) -> Path:
    """Walk up from `start` to the first folder that looks like a transformers-style repository."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "src").is_dir() and any((folder / "src").glob("*/models")):
            return folder
        if (folder / "pyproject.toml").is_file() and "[tool.modelgen]" in (folder / "pyproject.toml").read_text(
            encoding="utf-8", errors="replace"
        ):
            return folder
    raise ModelgenError("not inside a transformers-style repository (no src/<package>/models/); use --repo", start)
