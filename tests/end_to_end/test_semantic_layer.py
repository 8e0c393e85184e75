"""The semantic layer (models/marts/_marts__semantic_models.yml): dbt parses it, MetricFlow
validates it (also against the warehouse), and its metrics, queried with `mf query`, equal the
same numbers computed from the marts in SQL.

`mf` (dbt-metricflow 0.15) reads the semantic manifest from <project>/target/ whatever
DBT_TARGET_PATH says, so the tests parse a copy of the project in a temporary folder (the
repository's target/ is never written) and point DBT_DUCKDB_PATH at a copy of the session's
built warehouse (dbt-duckdb opens its database read-write; the copy keeps the shared one
untouched).
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import PROJECT_DIR, TEST_AS_OF, dbt_env

pytestmark = pytest.mark.slow  # builds the test data with dbt (minutes)

BIN = Path(sys.executable).parent
COPY_IGNORE = shutil.ignore_patterns(
    ".venv*", ".git", "target*", "logs", "warehouse", "data", "dbt_packages", "__pycache__", ".pytest_cache"
)
SEMANTIC_MODELS = {"segment_kpis", "lead_scores", "segment_matrix", "lead_routing", "score_backtest"}
KPI_METRICS = {
    "leads_entered", "mqls", "sqls", "mql_rate", "sql_rate", "opportunity_rate", "win_rate",
    "pipeline_usd", "won_usd", "sla_met_rate", "median_first_response_minutes",
}


@dataclasses.dataclass(frozen=True)
class MfProject:
    root: Path
    database: Path
    env: dict

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(BIN / args[0]), *args[1:]], cwd=self.root, env=self.env, capture_output=True, text=True
        )
        if check:
            assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
        return result

    def query(self, metrics: list[str], group_by: list[str], tmp_path: Path) -> pd.DataFrame:
        out = tmp_path / f"mf_{len(list(tmp_path.glob('mf_*.csv')))}.csv"
        self.run("mf", "query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by), "--csv", str(out))
        return pd.read_csv(out)


def _project(tmp: Path, database: Path) -> MfProject:
    root = tmp / "project"
    shutil.copytree(PROJECT_DIR, root, ignore=COPY_IGNORE)
    env = dbt_env(database, root / "target", {"DBT_PROFILES_DIR": str(root), "DBT_PROJECT_DIR": str(root)})
    project = MfProject(root=root, database=database, env=env)
    project.run("dbt", "parse", "--vars", json.dumps({"as_of_date": TEST_AS_OF.isoformat()}))
    return project


@pytest.fixture(scope="module")
def mf_project(tmp_path_factory, built_warehouse) -> MfProject:
    tmp = tmp_path_factory.mktemp("semantic")
    database = tmp / "work.duckdb"
    shutil.copyfile(built_warehouse.database, database)
    project = _project(tmp, database)
    # score_backtest (issue 16) is built only when asked: build it into the copy.
    project.run("dbt", "run", "--select", "tag:backtest", "--vars", json.dumps({"as_of_date": TEST_AS_OF.isoformat()}))
    return project


def mart(project: MfProject, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(project.database), read_only=True) as con:
        return con.execute(sql).df()


def assert_frames_match(got: pd.DataFrame, want: pd.DataFrame, keys: list[str], columns: list[str]) -> None:
    """Same keys, and each value equal (NULL = NULL, numbers to 1e-9 relative)."""
    got = got.set_index(keys).sort_index()
    want = want.set_index(keys).sort_index()
    assert list(got.index) == list(want.index)
    for column in columns:
        for key, g, w in zip(got.index, got[column], want[column], strict=True):
            if w is None or (isinstance(w, float) and math.isnan(w)):
                assert g is None or (isinstance(g, float) and math.isnan(g)), (column, key, g, w)
            else:
                assert math.isclose(float(g), float(w), rel_tol=1e-9, abs_tol=1e-9), (column, key, g, w)


# ---- dbt parse / MetricFlow validation -----------------------------------------------------


def test_dbt_parse_builds_the_semantic_manifest(mf_project):
    manifest = json.loads((mf_project.root / "target" / "semantic_manifest.json").read_text())
    models = {m["name"]: m for m in manifest["semantic_models"]}
    assert set(models) == SEMANTIC_MODELS
    # Built on public marts only.
    for name, model in models.items():
        assert model["node_relation"]["alias"] == name
    metrics = {m["name"]: m for m in manifest["metrics"]}
    assert KPI_METRICS <= set(metrics)
    for name, metric in metrics.items():
        assert metric.get("description") and metric.get("label"), f"metric {name} undocumented"
    dimensions = {d["name"] for m in manifest["semantic_models"] for d in m["dimensions"]}
    assert {"week_start", "experiment_group", "risk_level", "intent_level", "risk_band", "motion"} <= dimensions
    spines = manifest["project_configuration"]["time_spines"]
    assert [s["node_relation"]["alias"] for s in spines] == ["metricflow_time_spine"]


def test_mf_validate_configs_passes_against_the_warehouse(mf_project):
    result = mf_project.run("mf", "validate-configs")
    output = result.stdout + result.stderr
    assert "Successfully validated the semantics of built manifest (ERRORS: 0" in output
    assert "Successfully validated metrics against data warehouse (ERRORS: 0" in output
    assert "Successfully validated measures against data warehouse (ERRORS: 0" in output


def test_mf_validate_configs_catches_a_broken_measure(tmp_path_factory, built_warehouse):
    """The validation above can fail: a measure over a column the mart lacks is reported."""
    tmp = tmp_path_factory.mktemp("semantic_broken")
    database = tmp / "work.duckdb"
    shutil.copyfile(built_warehouse.database, database)
    root = tmp / "project"
    shutil.copytree(PROJECT_DIR, root, ignore=COPY_IGNORE)
    yml = root / "models" / "marts" / "_marts__semantic_models.yml"
    text = yml.read_text()
    broken = text.replace("expr: sla_met_rate\n", "expr: sla_met_rate_that_does_not_exist\n")
    assert broken != text
    yml.write_text(broken)
    env = dbt_env(database, root / "target", {"DBT_PROFILES_DIR": str(root), "DBT_PROJECT_DIR": str(root)})
    project = MfProject(root=root, database=database, env=env)
    project.run("dbt", "parse", "--vars", json.dumps({"as_of_date": TEST_AS_OF.isoformat()}))
    result = project.run("mf", "validate-configs", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-4000:]
    assert "sla_met_rate_that_does_not_exist" in output, output[-4000:]
    assert "validated measures against data warehouse (ERRORS: 0" not in output


# ---- metrics equal the marts ------------------------------------------------------------------


def test_kpi_metrics_per_segment_and_group_equal_the_mart(mf_project, tmp_path):
    got = mf_project.query(
        ["leads_entered", "mqls", "sqls", "mql_rate", "sql_rate", "opportunity_rate", "win_rate",
         "pipeline_usd", "won_usd"],
        ["segment", "segment_week__experiment_group"],
        tmp_path,
    ).rename(columns={"segment_week__experiment_group": "experiment_group"})
    want = mart(
        mf_project,
        """
        select
            segment,
            experiment_group,
            sum(leads_entered) as leads_entered,
            sum(mqls) as mqls,
            sum(sqls) as sqls,
            sum(mqls) / nullif(sum(leads_entered), 0) as mql_rate,
            sum(sqls) / nullif(sum(leads_entered), 0) as sql_rate,
            sum(opportunities_created) / nullif(sum(leads_entered), 0) as opportunity_rate,
            sum(opportunities_won) / nullif(sum(opportunities_created), 0) as win_rate,
            sum(pipeline_usd) as pipeline_usd,
            sum(won_usd) as won_usd
        from marts.segment_kpis
        group by 1, 2
        """,
    )
    assert len(want) == 24
    columns = [c for c in want.columns if c not in ("segment", "experiment_group")]
    assert_frames_match(got, want, ["segment", "experiment_group"], columns)
    assert want["leads_entered"].sum() > 0 and want["pipeline_usd"].sum() > 0


def test_rate_and_median_metrics_at_the_mart_grain_equal_the_mart(mf_project, tmp_path):
    got = mf_project.query(
        ["sla_met_rate", "median_first_response_minutes", "leads_entered"],
        ["metric_time__week", "segment", "segment_week__experiment_group"],
        tmp_path,
    ).rename(columns={"segment_week__experiment_group": "experiment_group", "metric_time__week": "week_start"})
    got["week_start"] = pd.to_datetime(got["week_start"]).dt.date.astype(str)
    want = mart(
        mf_project,
        "select cast(week_start as varchar) as week_start, segment, experiment_group, sla_met_rate, "
        "median_first_response_minutes, leads_entered from marts.segment_kpis",
    )
    assert_frames_match(
        got, want, ["week_start", "segment", "experiment_group"],
        ["sla_met_rate", "median_first_response_minutes", "leads_entered"],
    )
    assert want["sla_met_rate"].notna().sum() > 0 and want["median_first_response_minutes"].notna().sum() > 0


def test_people_metrics_per_segment_equal_the_segment_matrix(mf_project, tmp_path):
    """lead_scores' metrics, grouped by the segment entity, give segment_matrix's cells (its
    rates are rounded to 4 decimals)."""
    got = mf_project.query(
        ["people", "people_mql_rate", "people_sql_rate"], ["segment", "segment__risk_band"], tmp_path
    )
    matrix = mart(mf_project, "select segment, risk_band, contacts, mql_rate, sql_rate from marts.segment_matrix")
    matrix = matrix[matrix["contacts"] > 0].set_index("segment")
    got = got.set_index("segment")
    assert set(got.index) == set(matrix.index)
    for segment, row in got.iterrows():
        cell = matrix.loc[segment]
        assert row["segment__risk_band"] == cell["risk_band"]
        assert int(row["people"]) == int(cell["contacts"])
        assert abs(row["people_mql_rate"] - cell["mql_rate"]) <= 5e-5
        assert abs(row["people_sql_rate"] - cell["sql_rate"]) <= 5e-5


def test_people_by_routing_dimension_equal_lead_routing(mf_project, tmp_path):
    got = mf_project.query(["people"], ["contact__is_suppressed", "contact__motion"], tmp_path)
    want = mart(
        mf_project,
        "select is_suppressed, motion, count(*) as people from marts.lead_routing group by 1, 2",
    )
    got_map = {
        (str(s).lower(), m): int(p)
        for s, m, p in got[["contact__is_suppressed", "contact__motion", "people"]].itertuples(index=False)
    }
    want_map = {(str(s).lower(), m): int(p) for s, m, p in want.itertuples(index=False)}
    assert got_map == want_map
    assert ("true", "suppressed") in want_map


def test_backtest_metrics_equal_score_backtest(mf_project, tmp_path):
    """backtest_auc / backtest_top_decile_lift per date, score and outcome = the overall rows."""
    got = mf_project.query(
        ["backtest_auc", "backtest_top_decile_lift"],
        ["metric_time__day", "score_backtest_row__score_name", "score_backtest_row__outcome"],
        tmp_path,
    )
    got = got.rename(columns=lambda c: c.split("__")[-1]).rename(columns={"day": "as_of_date"})
    got["as_of_date"] = pd.to_datetime(got["as_of_date"]).dt.date.astype(str)
    want = mart(
        mf_project,
        """select cast(as_of_date as varchar) as as_of_date, score_name, outcome,
            auc as backtest_auc, top_decile_lift as backtest_top_decile_lift
        from backtest.score_backtest where bucket_type = 'overall'""",
    )
    assert len(want) > 0 and want["backtest_auc"].notna().any()
    assert_frames_match(got, want, ["as_of_date", "score_name", "outcome"],
                        ["backtest_auc", "backtest_top_decile_lift"])
