"""A non-editable install (a built wheel) ships every subpackage and the top-level templates/ folder as
modelgen.templates."""

import json
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_the_templates(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "wheel"), str(PROJECT_ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = (tmp_path / "wheel").glob("modelgen-*.whl")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)], check=True, capture_output=True)
    listing = subprocess.run(
        [sys.executable, "-c", "import importlib.resources as r, json, modelgen; print(modelgen.__file__); "
         "print(json.dumps(sorted(p.name for p in r.files('modelgen.templates').iterdir() if p.name.endswith('.j2'))))"],
        cwd=tmp_path, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    assert listing[0].startswith(str(site))
    shipped = json.loads(listing[1])
    assert shipped == sorted(path.name for path in (PROJECT_ROOT / "templates").glob("*.j2"))
    assert shipped
    packages = {path.parent.relative_to(PROJECT_ROOT) for path in (PROJECT_ROOT / "modelgen").rglob("__init__.py")}
    missing = [str(package) for package in packages if not (site / package / "__init__.py").exists()]
    assert not missing, f"subpackages missing from the wheel (list them in pyproject.toml): {missing}"
