"""A scoring parameter missing from its seed stops the build at compile time (macro
parameter_value) instead of silently switching its rule off (issue 13)."""

from __future__ import annotations

import shutil

import pytest

from conftest import run_dbt
from test_conventions import COPY_IGNORE, PROJECT_DIR


@pytest.mark.slow
def test_a_missing_parameter_fails_compilation_naming_it(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=COPY_IGNORE)
    seed = project / "seeds" / "scoring" / "scoring_parameters.csv"
    seed.write_text(
        "".join(line for line in seed.read_text().splitlines(True) if "risk_eol_software_min" not in line)
    )
    database, target = tmp_path / "work.duckdb", tmp_path / "target"
    run_dbt(["seed", "--select", "scoring_parameters"], database=database, target_path=target, project_dir=project)
    result = run_dbt(
        ["run", "--select", "int_accounts_risk_itemized"],
        database=database, target_path=target, project_dir=project, check=False,
    )
    assert result.returncode != 0
    assert "parameter 'risk_eol_software_min' is missing from seed scoring_parameters" in result.stdout

    # With the row back the lookup passes (the run then fails only on the unbuilt upstream
    # models of this bare database): the error was about the missing row.
    shutil.copy(PROJECT_DIR / "seeds" / "scoring" / "scoring_parameters.csv", seed)
    run_dbt(["seed", "--select", "scoring_parameters"], database=database, target_path=target, project_dir=project)
    result = run_dbt(
        ["run", "--select", "int_accounts_risk_itemized"],
        database=database, target_path=target, project_dir=project, check=False,
    )
    assert "is missing from seed" not in result.stdout
