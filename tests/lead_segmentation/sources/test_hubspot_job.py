"""The job's HubSpot options (lead_segmentation.pipeline --source hubspot)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lead_segmentation.pipeline import EXIT_USAGE, parse_args


def test_source_database_needs_the_hubspot_source_and_no_raw_dir(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        parse_args(["--source-database", str(tmp_path / "x.duckdb")])
    assert stopped.value.code == EXIT_USAGE
    assert "--source-database needs --source hubspot" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        parse_args(["--source", "hubspot", "--source-database", "x.duckdb", "--raw-dir", str(tmp_path)])
    assert stopped.value.code == EXIT_USAGE


def test_hubspot_options_parse():
    args = parse_args(["--source", "hubspot", "--source-database", "db.duckdb", "--source-schema", "hs"])
    assert (args.source, args.source_database, args.source_schema) == ("hubspot", Path("db.duckdb"), "hs")
    assert parse_args([]).source == "files"
