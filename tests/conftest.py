"""Shared pytest fixtures: one generated, loaded and dbt-built warehouse per test run (shared
by the pytest-xdist workers).

The build happens in a temporary folder (own DuckDB file, own dbt target path), so tests
never touch the repository's warehouse/ and can run beside a developer's own builds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]

# The test session's fixed data set: small enough for CI, dirty enough to exercise staging.
TEST_SCALE = float(os.environ.get("TEST_SCALE", "0.05"))
TEST_SEED = 7
TEST_AS_OF = dt.date(2026, 6, 30)


def dev_script(name: str):
    """scripts/dev/<name>.py loaded as a module (the dev scripts are files, not a package)."""
    spec = importlib.util.spec_from_file_location(name, PROJECT_DIR / "scripts" / "dev" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dbt_bin() -> str:
    return str(Path(sys.executable).parent / "dbt")


def dbt_env(database: Path, target_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a dbt run isolated in its own database and target folder, with the
    job's defaults (dbt_build.JOB_DBT_ENV_DEFAULTS; the caller's environment wins)."""
    from lead_segmentation.dbt_build import JOB_DBT_ENV_DEFAULTS

    env = {**JOB_DBT_ENV_DEFAULTS, **os.environ}
    env.update(
        DBT_DUCKDB_PATH=str(database),
        DBT_TARGET_PATH=str(target_path),
        DBT_LOG_PATH=str(target_path / "logs"),
        DUCKDB_TEMP_DIRECTORY=str(target_path / "duckdb_tmp"),
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        GX_ANALYTICS_ENABLED="false",
    )
    env.update(extra or {})
    return env


def run_dbt(
    args: list[str],
    *,
    database: Path,
    target_path: Path,
    project_dir: Path = PROJECT_DIR,
    as_of: dt.date = TEST_AS_OF,
    extra_vars: dict | None = None,
    extra_env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess:
    """Run a dbt command for the test warehouse (`extra_env`: e.g. another target); on failure
    show dbt's own output."""
    variables = {"as_of_date": as_of.isoformat(), **(extra_vars or {})}
    cmd = [dbt_bin(), *args, "--vars", json.dumps(variables), "--project-dir", str(project_dir)]
    result = subprocess.run(
        cmd,
        cwd=project_dir,
        env=dbt_env(database, target_path, extra_env),
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} failed (exit {result.returncode}):\n{result.stdout[-15000:]}\n{result.stderr[-3000:]}"
        )
    return result


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs a whole dbt build or pipeline (minutes)")


@pytest.fixture(scope="session", autouse=True)
def shared_docs_sites(tmp_path_factory) -> Path:
    """The job's docs-site cache (dbt_build.DOCS_CACHE_ENV) for every job this run starts:
    `dbt docs generate` (10-18 s) runs once per project and vars, not once per published
    run. Shared by the xdist workers (the site is written atomically)."""
    from lead_segmentation.dbt_build import DOCS_CACHE_ENV

    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "docs_sites"
    folder.mkdir(exist_ok=True)
    os.environ.setdefault(DOCS_CACHE_ENV, str(folder))
    return Path(os.environ[DOCS_CACHE_ENV])


@dataclasses.dataclass(frozen=True)
class BuiltWarehouse:
    database: Path  # DuckDB work file after `dbt build`
    as_of: dt.date
    raw_dir: Path
    target_path: Path  # dbt's target folder (run_results.json, manifest.json)
    raw_counts: dict

    def connect(self):
        import duckdb

        return duckdb.connect(str(self.database), read_only=True)


def made_once(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder filled by `make(folder)` once per test run. In one process: a new folder of
    this session. Under pytest-xdist (scripts/test.sh runs two workers) the workers share it:
    the first that needs it makes it in the run's common temp folder while the others wait on
    a lock, then reuse it (tests only read these folders; what they change, they copy)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    common = tmp_path_factory.getbasetemp().parent  # <run>/popen-gw0 -> <run>
    folder, done = common / name, common / f"{name}.done"
    with open(common / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            if folder.exists():  # left by a worker whose make failed: start over
                shutil.rmtree(folder)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def generated_raw_dir(tmp_path_factory) -> Path:
    """Scale-TEST_SCALE demo data as of TEST_AS_OF (generated once per test run)."""
    from lead_segmentation.demo.generate_raw import generate

    def make(out: Path) -> None:
        generate(scale=TEST_SCALE, seed=TEST_SEED, out_dir=out, as_of=TEST_AS_OF, fmt="csv")

    return made_once(tmp_path_factory, "raw", make)


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory, generated_raw_dir) -> BuiltWarehouse:
    """Generated data loaded into raw and built with `dbt build` (seeds, models, snapshots,
    unit and data tests). Fails the depending tests when any dbt test fails."""
    from lead_segmentation.load_raw import load_raw

    def make(root: Path) -> None:
        counts = load_raw(generated_raw_dir, root / "work.duckdb", quiet=True)
        run_dbt(["build"], database=root / "work.duckdb", target_path=root / "target")
        (root / "raw_counts.json").write_text(json.dumps(counts))

    root = made_once(tmp_path_factory, "warehouse", make)
    return BuiltWarehouse(
        database=root / "work.duckdb",
        as_of=TEST_AS_OF,
        raw_dir=generated_raw_dir,
        target_path=root / "target",
        raw_counts=json.loads((root / "raw_counts.json").read_text()),
    )
