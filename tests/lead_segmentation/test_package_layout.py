"""The Python layout's rules (docs/architecture.md "Python package"): code imports the installed
package, never a path hack; shared helpers have one home; no private helper crosses modules."""

from __future__ import annotations

import ast
import re

from conftest import PROJECT_DIR

PACKAGE = PROJECT_DIR / "src" / "lead_segmentation"
# Written in two pieces so this file does not match its own pattern.
PATH_EDIT = re.compile(r"\bsys\.path\s*\.\s*(" + "insert|append|extend" + r")\b|\bsys\.path\s*(\+=|=)")


def _python_files(*folders: str):
    for folder in folders:
        yield from sorted((PROJECT_DIR / folder).rglob("*.py"))


def test_no_sys_path_edits():
    offenders = [
        f"{path.relative_to(PROJECT_DIR)}:{n}"
        for path in _python_files("src", "scripts", "tests")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if PATH_EDIT.search(line)
    ]
    assert not offenders, f"sys.path edited (import lead_segmentation instead): {offenders}"


def test_no_private_helper_imported_across_modules():
    offenders = [
        f"{path.relative_to(PROJECT_DIR)}: {node.module}.{alias.name}"
        for path in _python_files("src", "scripts", "tests")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lead_segmentation")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert not offenders, f"a private helper imported from another module (make it public): {offenders}"


def test_sql_quoting_and_config_error_have_one_home():
    quoting = re.compile(r"""replace\(\s*(["'])(''|"|'|\\")\1""")
    quoting_elsewhere = [
        str(path.relative_to(PROJECT_DIR))
        for path in _python_files("src", "scripts")
        if path != PACKAGE / "sql.py" and quoting.search(path.read_text())
    ]
    assert not quoting_elsewhere, f"SQL quoting outside lead_segmentation/sql.py: {quoting_elsewhere}"
    config_errors = [
        str(path.relative_to(PROJECT_DIR))
        for path in _python_files("src", "scripts")
        if re.search(r"^class ConfigError\b", path.read_text(), re.M)
    ]
    assert config_errors == ["src/lead_segmentation/errors.py"]


def test_user_config_lives_in_config_folder():
    from lead_segmentation import paths, quality_config, sync_crm

    assert quality_config.DEFAULT_PATH == paths.CONFIG_DIR / "quality_thresholds.yml"
    assert quality_config.DEFAULT_PATH.is_file()
    assert sync_crm.MAPPINGS_DIR == paths.CONFIG_DIR / "crm_field_maps"
    assert sorted(p.name for p in sync_crm.MAPPINGS_DIR.glob("*.yml"))


def test_every_module_imports():
    import importlib
    import pkgutil

    import lead_segmentation

    names = [m.name for m in pkgutil.walk_packages(lead_segmentation.__path__, "lead_segmentation.")]
    assert "lead_segmentation.report.render" in names
    for name in names:
        if not name.endswith("__main__"):
            importlib.import_module(name)
