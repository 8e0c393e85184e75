"""Project conventions (dbt-bouncer.yml) hold, and a breach of them is caught.

`dbt parse` writes the manifest into a temporary target path; dbt-bouncer reads it through a
copy of dbt-bouncer.yml whose dbt_artifacts_dir points there, so nothing in the repository's
target/ is read or written. The negative case parses a copy of the project with one
undocumented, untested model added and expects dbt-bouncer to fail naming it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT_DIR, dbt_env

CONFIG = PROJECT_DIR / "dbt-bouncer.yml"
BIN = Path(sys.executable).parent
# What a copy of the project leaves out: environments, build output, data, VCS.
COPY_IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "target*", "logs", "warehouse", "dbt_packages", "__pycache__", ".pytest_cache"
)


def parse(project_dir: Path, target_path: Path, *args: str) -> None:
    """`dbt parse` of project_dir into target_path (no database connection needed)."""
    result = subprocess.run(
        [str(BIN / "dbt"), "parse", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir), *args],
        cwd=project_dir,
        env=dbt_env(target_path / "unused.duckdb", target_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"dbt parse failed:\n{result.stdout[-5000:]}\n{result.stderr[-2000:]}"
    assert (target_path / "manifest.json").exists()


def bounce(config: Path, target_path: Path, work_dir: Path) -> tuple[int, list[dict], str]:
    """dbt-bouncer with `config`, reading the manifest in target_path: its exit code, the
    failed checks (from its JSON report) and its console output."""
    text = config.read_text()
    pointed, count = re.subn(r"(?m)^dbt_artifacts_dir: .*$", f"dbt_artifacts_dir: {target_path}", text)
    assert count == 1, "dbt-bouncer.yml must set dbt_artifacts_dir exactly once"
    copy = work_dir / "dbt-bouncer.yml"
    copy.write_text(pointed)
    report = work_dir / "bouncer.json"
    result = subprocess.run(
        [
            str(BIN / "dbt-bouncer"),
            "--config-file", str(copy),
            "--output-format", "json",
            "--output-file", str(report),
        ],
        cwd=work_dir,
        capture_output=True,
        text=True,
    )
    checks = json.loads(report.read_text()) if report.exists() else []
    failed = [c for c in checks if c.get("outcome") != "success"]
    return result.returncode, failed, result.stdout[-8000:] + result.stderr[-2000:]


# The row-level test kinds each model's row_rules test runs in one scan
# (tests/generic/row_rules.sql); selectors.yml leaves them out of the daily build.
ROW_RULE_KINDS = {"not_null", "unique", "accepted_values", "unique_combination_of_columns"}


def row_rules_missing(manifest: dict) -> list[tuple[str, str]]:
    """(model or source unique_id, severity) for each model or source table that has
    row-level tests of that severity but no row_rules test of that severity: those rules
    would not run in the daily build. Found in the manifest, wherever the YAML lives."""
    wanted: set[tuple[str, str]] = set()
    declared: set[tuple[str, str]] = set()
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata") or {}
        if node["resource_type"] != "test" or not meta or meta.get("namespace"):
            continue
        owners = node["depends_on"]["nodes"]
        severity = str(node["config"].get("severity") or "error").lower()
        if meta["name"] == "row_rules":
            declared |= {(owner, severity) for owner in owners}
        elif meta["name"] in ROW_RULE_KINDS and len(owners) == 1:
            wanted.add((owners[0], severity))
    return sorted(wanted - declared)


def test_project_follows_its_conventions(tmp_path):
    target = tmp_path / "target"
    parse(PROJECT_DIR, target)
    code, failed, output = bounce(CONFIG, target, tmp_path)
    assert code == 0 and not failed, f"dbt-bouncer found breaches: {failed}\n{output}"
    manifest = json.loads((target / "manifest.json").read_text())
    assert row_rules_missing(manifest) == [], "row-level tests that no row_rules test runs"
    # the rules are really there to run: the key tests and row_rules on every model that has any
    assert sum(1 for n in manifest["nodes"].values() if n["name"].startswith("row_rules_")) >= 40


def test_an_undocumented_model_fails_the_conventions(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=COPY_IGNORE)
    (project / "models" / "marts" / "orphan_report.sql").write_text("select 1 as orphan_id\n")
    # and one model (found by the manifest, wherever its YAML is) loses its row_rules test
    manifest = tmp_path / "before"
    parse(project, manifest)
    scores = json.loads((manifest / "manifest.json").read_text())["nodes"]["model.lead_segmentation.lead_scores"]
    yml = project / scores["patch_path"].split("://", 1)[1]
    text, removed = re.subn(r"(?m)^(\s*)data_tests:\n\1  - row_rules\n", "", yml.read_text())
    assert removed == 1, f"{yml}: no model-level row_rules to remove"
    yml.write_text(text)
    target = tmp_path / "target"
    parse(project, target)
    assert row_rules_missing(json.loads((target / "manifest.json").read_text())) == [
        ("model.lead_segmentation.lead_scores", "error")
    ]
    code, failed, output = bounce(project / "dbt-bouncer.yml", target, tmp_path)
    assert code != 0, f"dbt-bouncer passed an undocumented model:\n{output}"
    breaches = {(c["check_run_id"].split(":")[0], c["unique_id"]) for c in failed}
    orphan = "model.lead_segmentation.orphan_report"
    # Only the planted model breaks the rules, and it breaks the documentation and key rules.
    assert {unique_id for _, unique_id in breaches} == {orphan}, breaches
    assert ("check_model_description_populated", orphan) in breaches
    assert ("check_model_has_unique_test", orphan) in breaches


def test_scripts_and_dbt_contracts_list_the_same_mart_columns():
    """src/lead_segmentation/contract.py (mart checks, CRM sync) and the enforced dbt contracts agree,
    column for column and in order: one cannot change without the other."""
    import yaml

    from lead_segmentation.contract import BACKTEST_CONTRACT_COLUMNS, CONTRACT_COLUMNS

    documented = [
        model
        for folder in ("marts", "backtest")
        for path in sorted((PROJECT_DIR / "models" / folder).rglob("*.yml"))
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", [])
    ]
    contracted = {
        model["name"]: tuple(column["name"] for column in model["columns"])
        for model in documented
        if model.get("config", {}).get("contract", {}).get("enforced")
    }
    assert set(CONTRACT_COLUMNS) <= set(contracted), "a published mart without an enforced contract"
    for mart, columns in {**CONTRACT_COLUMNS, **BACKTEST_CONTRACT_COLUMNS}.items():
        assert contracted[mart] == columns, f"{mart}: dbt {contracted[mart]} != scripts {columns}"


def test_one_yaml_per_model_beside_its_sql():
    """Style (jaffle-shop): each model is documented, tested and unit-tested in
    `<model>.yml` beside `<model>.sql`, which describes that model only; folder-wide files hold
    sources, exposures and semantic models, never a model's own docs."""
    import yaml

    for sql in sorted((PROJECT_DIR / "models").rglob("*.sql")):
        own = sql.with_suffix(".yml")
        assert own.exists(), f"{sql.relative_to(PROJECT_DIR)} has no {own.name} beside it"
        documented = yaml.safe_load(own.read_text())
        assert [m["name"] for m in documented.get("models", [])] == [sql.stem], own
        tested = {t["model"] for t in documented.get("unit_tests", [])}
        assert tested <= {sql.stem}, f"{own}: unit tests of other models {tested}"
    for shared in sorted((PROJECT_DIR / "models").rglob("_*.yml")):
        assert "models" not in (yaml.safe_load(shared.read_text()) or {}) or shared.name.endswith(
            "__semantic_models.yml"
        ), f"{shared} documents models: move them beside their SQL"


def test_unit_test_copies_of_the_intent_catalog_equal_the_seed():
    """dbt 1.11 reads a seed's empty cells as '' in unit tests, so the intent catalog is copied
    into the fixtures that need it; every copy must be the shipped CSV, row for row."""
    import csv

    import yaml

    def number(value):
        return None if value in ("", None) else float(value)

    seed = [
        {**row, "points": number(row["points"]), "half_life_days": number(row["half_life_days"]),
         "cap_points": number(row["cap_points"]), "buying_stage": row["buying_stage"] or None}
        for row in csv.DictReader((PROJECT_DIR / "seeds/scoring/scoring_intent_signals.csv").open())
    ]
    copies = 0
    for path in sorted((PROJECT_DIR / "models").rglob("*.yml")):
        for test in yaml.safe_load(path.read_text()).get("unit_tests", []) or []:
            for given in test.get("given", []):
                if given["input"] == "ref('scoring_intent_signals')" and "rows" in given:
                    copies += 1
                    rows = [
                        {**row, **{k: number(row[k]) for k in ("points", "half_life_days", "cap_points")}}
                        for row in given["rows"]
                    ]
                    assert rows == seed, f"{path} / {test['name']}: the intent catalog copy differs from the CSV"
    assert copies >= 2


MACRO_FOLDERS = ("staging", "sources", "scoring", "quality", "cross_database", "spark", "overrides")


def test_macros_live_in_folders_by_concern_one_per_file_documented_beside_them():
    """Style: macros/<concern>/<macro>.sql, one macro per file (plus its dispatch
    implementations), each documented in that folder's _<concern>__macros.yml (materializations
    are described in their files: dbt does not document them as macros)."""
    import yaml

    macros_dir = PROJECT_DIR / "macros"
    assert sorted(p.name for p in macros_dir.glob("*.sql")) == [], "a macro outside the concern folders"
    folders = sorted(p.name for p in macros_dir.iterdir() if p.is_dir())
    assert folders == sorted(MACRO_FOLDERS), folders
    for folder in MACRO_FOLDERS:
        documented = yaml.safe_load((macros_dir / folder / f"_{folder}__macros.yml").read_text())
        names = {m["name"] for m in documented["macros"]}
        for sql in sorted((macros_dir / folder).glob("*.sql")):
            text = sql.read_text()
            if sql.stem.startswith("materialization_"):
                assert len(re.findall(r"{%-?\s*materialization\s", text)) == 1, sql
                continue
            defined = re.findall(r"{%-?\s*macro\s+(\w+)", text)
            own = [n for n in defined if not re.match(r"^(default|duckdb|spark)__", n) or n == sql.stem]
            assert own == [sql.stem], f"{sql.relative_to(PROJECT_DIR)} defines {defined}"
            assert sql.stem in names, f"{sql.stem} is not documented in macros/{folder}"
        stems = {p.stem for p in (macros_dir / folder).glob("*.sql")}
        assert names <= stems, f"macros/{folder} documents macros it does not hold: {names - stems}"


def test_no_unit_test_gives_half_of_the_segment_union(tmp_path):
    """With var segment_enabled, staged_relation unions the CRM's and Segment's events: a unit
    test whose fixture gives one source's events relation would error (dbt wants every ref
    of the union). Such tests are switched off with the var (config enabled); only a model
    reading its own source folder's base relation (no union) may keep one."""
    target = tmp_path / "target"
    parse(PROJECT_DIR, target, "--vars", json.dumps({"segment_enabled": True}))
    manifest = json.loads((target / "manifest.json").read_text())
    union_readers = [
        test["name"]
        for test in manifest["unit_tests"].values()
        if any("__events" in given["input"] for given in test["given"])
        and not test["model"].startswith("stg_")
    ]
    assert union_readers == [], f"unit tests that give one source's events with segment_enabled: {union_readers}"

