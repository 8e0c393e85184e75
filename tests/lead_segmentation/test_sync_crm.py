"""The CRM sync (src/lead_segmentation/sync_crm.py): change detection, clears, state safety, mappings, errors.

Every test builds its own small published file (schema marts, the contract's lead_routing and
lead_scores columns), replaced the way the pipeline publishes (a new file renamed over the old
one). No dbt needed.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import fcntl
import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from lead_segmentation import sync_crm
from lead_segmentation.sync_crm import LEAD_ROUTING_COLUMNS, MAPPINGS_DIR, load_mapping


ROUTING_TYPES = {
    "contact_id": "varchar",
    "account_id": "varchar",
    "segment": "varchar",
    "motion": "varchar",
    "owner_team": "varchar",
    "priority": "integer",
    "sla_hours": "integer",
    "sla_due_at": "timestamp",
    "next_action": "varchar",
    "routing_reason": "varchar",
    "is_suppressed": "boolean",
    "suppression_reason": "varchar",
    "is_holdout": "boolean",
    "record_hash": "varchar",
    "updated_at": "timestamp",
}
SCORES_TYPES = {
    "contact_id": "varchar",
    "account_id": "varchar",
    "fit_score": "integer",
    "fit_grade": "varchar",
    "persona": "varchar",
    "risk_score": "integer",
    "risk_level": "varchar",
    "primary_risk_category": "varchar",
    "contact_intent_score": "decimal(12, 2)",
    "account_intent_score": "decimal(12, 2)",
    "intent_level": "varchar",
    "intent_topic": "varchar",
    "buying_stage": "varchar",
    "segment": "varchar",
    "lead_status": "varchar",
    "qualification_outcome": "varchar",
    "reason_codes": "varchar",
    "is_holdout": "boolean",
    "scoring_version": "varchar",
    "as_of_date": "date",
}
AS_OF = dt.date(2026, 6, 30)


def active(contact_id: str, **changes) -> dict:
    row = {
        "contact_id": contact_id,
        "account_id": "a1",
        "segment": "fast_track",
        "motion": "sales_call",
        "owner_team": "incident_response_team",
        "priority": 1,
        "sla_hours": 1,
        "sla_due_at": dt.datetime(2026, 6, 29, 15, 30, 0),
        "next_action": "call within 1 hour",
        "routing_reason": "matrix: high risk x high intent",
        "is_suppressed": False,
        "suppression_reason": None,
        "is_holdout": False,
        "record_hash": f"hash-{contact_id}-1",
        "updated_at": dt.datetime(2026, 6, 30, 2, 0, 0),
    }
    row.update(changes)
    return row


def suppressed(contact_id: str, reason: str = "opted_out", **changes) -> dict:
    row = active(
        contact_id,
        segment=None,
        motion="suppressed",
        owner_team=None,
        priority=None,
        sla_hours=None,
        sla_due_at=None,
        next_action=None,
        routing_reason=f"suppressed: {reason}",
        is_suppressed=True,
        suppression_reason=reason,
        record_hash=f"hash-{contact_id}-s",
    )
    row.update(changes)
    return row


def score(contact_id: str, **changes) -> dict:
    row = {c: None for c in SCORES_TYPES}
    row.update(
        contact_id=contact_id,
        account_id="a1",
        fit_score=72,
        fit_grade="A",
        risk_level="high",
        intent_level="high",
        lead_status="mql",
        qualification_outcome="nurture",
        reason_codes="intent:demo_request(+40.0); fit:persona_security_executive(+25)",
        scoring_version="v1",
        as_of_date=AS_OF,
    )
    row.update(changes)
    return row


def publish(
    path: Path,
    routing: list[dict],
    scores: list[dict] | None = None,
    *,
    routing_types: dict[str, str] | None = None,
    with_scores: bool = True,
) -> None:
    """Write a published file as the pipeline does: a new file renamed over the old one."""
    types = routing_types or ROUTING_TYPES
    if scores is None:
        scores = [score(r["contact_id"]) for r in routing]
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute("create schema marts")
        for table, cols, rows in (
            ("lead_routing", types, routing),
            *((("lead_scores", SCORES_TYPES, scores),) if with_scores else ()),
        ):
            con.execute(f"create table marts.{table} ({', '.join(f'{c} {t}' for c, t in cols.items())})")
            if rows:
                marks = ", ".join("?" for _ in cols)
                con.executemany(
                    f"insert into marts.{table} values ({marks})", [[r.get(c) for c in cols] for r in rows]
                )
    finally:
        con.close()
    os.replace(tmp, path)


class Env:
    """One sync setup: a published file, an out folder, a state file."""

    def __init__(self, root: Path, mapping: str = "hubspot", state_name: str = "state.duckdb"):
        self.root = root
        self.published = root / "published.duckdb"
        self.out = root / "out"
        self.state = root / "sync_state" / state_name
        self.mapping = mapping

    def args(self, *extra: str) -> list[str]:
        return [
            "--published",
            str(self.published),
            "--out",
            str(self.out),
            "--mapping",
            self.mapping,
            "--state",
            str(self.state),
            *extra,
        ]

    def sync(self, *extra: str) -> int:
        return sync_crm.main(self.args(*extra))

    def manifests(self) -> list[dict]:
        if not self.out.exists():
            return []
        return [json.loads(p.read_text()) for p in sorted(self.out.glob("*_manifest.json"))]

    def last(self) -> dict:
        manifests = self.manifests()
        assert manifests, "no batch was written"
        return manifests[-1]

    def rows(self, kind: str, manifest: dict | None = None) -> list[dict]:
        """The rows of the last batch's upserts or clears file ([] when the file was not written)."""
        entry = (manifest or self.last())["files"][kind]
        if entry is None:
            return []
        with open(self.out / entry["name"], newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    def files(self) -> list[str]:
        return sorted(p.name for p in self.out.iterdir()) if self.out.exists() else []

    def state_rows(self) -> dict[str, sync_crm.StateRow]:
        return sync_crm.read_state(self.state)


def key(env: Env) -> str:
    return load_mapping(env.mapping).key_column


def reason_column(env: Env) -> str:
    return load_mapping(env.mapping).reason_column


@pytest.fixture
def env(tmp_path) -> Env:
    return Env(tmp_path)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- change detection


def test_first_sync_sends_everyone(env, capsys):
    publish(env.published, [active("c1"), active("c2"), suppressed("c3"), suppressed("c4", "undeliverable")])
    assert env.sync() == 0
    manifest = env.last()
    assert manifest["counts"] == {"new": 2, "changed": 0, "cleared": 2, "left": 0, "unchanged": 0, "resent": 0}
    upserts, clears = env.rows("upserts"), env.rows("clears")
    assert [r[key(env)] for r in upserts] == ["c1", "c2"]
    assert {r[key(env)]: r[reason_column(env)] for r in clears} == {"c3": "opted_out", "c4": "undeliverable"}
    state = env.state_rows()
    assert set(state) == {"c1", "c2", "c3", "c4"}
    assert state["c3"].is_suppressed and state["c3"].clear_reason == "opted_out"
    assert not state["c1"].is_suppressed and state["c1"].clear_reason is None
    assert state["c1"].batch_id == manifest["batch_id"]
    out = capsys.readouterr().out
    assert "new 2 | changed 0 | cleared 2 | left 0 | unchanged 0" in out


def test_second_run_without_change_writes_nothing(env, capsys):
    publish(env.published, [active("c1"), suppressed("c2")])
    assert env.sync() == 0
    files, state_bytes = env.files(), env.state.read_bytes()
    capsys.readouterr()
    assert env.sync() == 0
    assert "nothing to sync" in capsys.readouterr().out
    assert env.files() == files  # no new batch, no manifest
    assert env.state.read_bytes() == state_bytes  # state not rewritten


def test_changed_record_hash_sends_one_upsert(env):
    publish(env.published, [active("c1"), active("c2"), suppressed("c3")])
    env.sync()
    publish(env.published, [active("c1"), active("c2", priority=2, record_hash="hash-c2-2"), suppressed("c3")])
    assert env.sync() == 0
    manifest = env.last()
    assert manifest["counts"]["changed"] == 1 and manifest["counts"]["unchanged"] == 2
    upserts = env.rows("upserts")
    assert [r[key(env)] for r in upserts] == ["c2"]
    assert upserts[0]["routing_priority"] == "2"
    assert manifest["files"]["clears"] is None  # an empty batch file is not written
    assert env.state_rows()["c2"].record_hash == "hash-c2-2"


def test_record_hash_change_alone_is_a_change(env):
    """record_hash is the contract's change signal, even for a field this mapping does not send."""
    publish(env.published, [active("c1")])
    env.sync()
    publish(env.published, [active("c1", updated_at=dt.datetime(2026, 7, 1), record_hash="hash-c1-2")])
    env.sync()
    assert [r[key(env)] for r in env.rows("upserts")] == ["c1"]


def test_lead_scores_change_is_sent_although_record_hash_is_unchanged(env):
    publish(env.published, [active("c1"), active("c2")])
    env.sync()
    publish(env.published, [active("c1"), active("c2")], [score("c1"), score("c2", fit_score=40, fit_grade="C")])
    env.sync()
    manifest = env.last()
    assert manifest["counts"]["changed"] == 1
    upserts = env.rows("upserts")
    assert [(r[key(env)], r["lead_fit_score"], r["lead_fit_grade"]) for r in upserts] == [("c2", "40", "C")]


def test_person_becoming_suppressed_is_cleared_not_upserted(env):
    publish(env.published, [active("c1"), active("c2")])
    env.sync()
    publish(env.published, [active("c1"), suppressed("c2", "undeliverable")])
    env.sync()
    manifest = env.last()
    assert manifest["counts"] == {"new": 0, "changed": 0, "cleared": 1, "left": 0, "unchanged": 1, "resent": 0}
    assert manifest["files"]["upserts"] is None
    (clear,) = env.rows("clears")
    assert clear[key(env)] == "c2" and clear[reason_column(env)] == "undeliverable"
    mapping = load_mapping(env.mapping)
    blanked = [c for c in mapping.clear_header if c not in (mapping.key_column, mapping.reason_column)]
    assert {"routing_owner_team", "routing_priority", "routing_sla_due_at", "routing_next_action"} <= set(blanked)
    assert all(clear[c] == mapping.null_value for c in blanked)
    assert env.state_rows()["c2"].is_suppressed


def test_suppressed_people_are_never_upserted(env):
    """Even with --full and values that look routable, a suppressed row only ever clears."""
    publish(env.published, [suppressed("c1", owner_team="sdr_emea", priority=3)])
    env.sync("--full")
    env.sync("--full")
    for manifest in env.manifests():
        assert manifest["files"]["upserts"] is None
        assert [r[key(env)] for r in env.rows("clears", manifest)] == ["c1"]


def test_person_leaving_lead_routing_is_cleared_with_reason_left(env, capsys):
    publish(env.published, [active("c1"), active("c2"), active("c3"), active("c4"), suppressed("c5")])
    env.sync()
    publish(env.published, [active("c1"), active("c2"), active("c3"), suppressed("c5")])
    assert env.sync() == 0
    manifest = env.last()
    assert manifest["counts"]["left"] == 1
    (clear,) = env.rows("clears")
    assert clear[key(env)] == "c4" and clear[reason_column(env)] == "left"
    assert "c4" not in env.state_rows()
    capsys.readouterr()
    assert env.sync() == 0
    assert "nothing to sync" in capsys.readouterr().out
    # Back again later (e.g. an un-merge): a new person.
    publish(env.published, [active("c1"), active("c2"), active("c3"), active("c4"), suppressed("c5")])
    env.sync()
    assert env.last()["counts"]["new"] == 1


def test_suppressed_person_left_is_cleared_again_with_reason_left(env):
    publish(env.published, [active("c1"), active("c2"), active("c3"), active("c4"), suppressed("c5")])
    env.sync()
    publish(env.published, [active("c1"), active("c2"), active("c3"), active("c4")])
    env.sync()
    (clear,) = env.rows("clears")
    assert clear[key(env)] == "c5" and clear[reason_column(env)] == "left"


def test_suppressed_hash_change_is_not_resent_unless_the_clear_changes(env, capsys):
    """Decision: a clear carries the key, the blanks and the reason. A still-suppressed person
    whose record_hash changed (e.g. a new routing_reason text) is not resent; a new suppression
    reason is."""
    publish(env.published, [active("c1"), suppressed("c2", "opted_out")])
    env.sync()
    synced = env.state_rows()["c2"]
    publish(
        env.published,
        [active("c1"), suppressed("c2", "opted_out", routing_reason="opted out twice", record_hash="hash-c2-s2")],
    )
    capsys.readouterr()
    assert env.sync() == 0
    assert "nothing to sync" in capsys.readouterr().out
    assert env.state_rows()["c2"] == synced  # the state keeps what the CRM last received
    publish(env.published, [active("c1"), suppressed("c2", "competitor", record_hash="hash-c2-s3")])
    env.sync()
    manifest = env.last()
    assert manifest["counts"]["cleared"] == 1
    (clear,) = env.rows("clears")
    assert clear[reason_column(env)] == "competitor"
    assert env.state_rows()["c2"].clear_reason == "competitor"


def test_reactivated_person_is_upserted_and_loses_the_clear_reason(env):
    publish(env.published, [active("c1"), suppressed("c2")])
    env.sync()
    publish(env.published, [active("c1"), active("c2", record_hash="hash-c2-s")])  # same hash on purpose
    env.sync()
    manifest = env.last()
    assert manifest["counts"]["changed"] == 1
    (upsert,) = env.rows("upserts")
    assert upsert[key(env)] == "c2" and upsert[reason_column(env)] == ""
    assert not env.state_rows()["c2"].is_suppressed


def test_full_resends_everyone(env):
    publish(env.published, [active("c1"), active("c2"), suppressed("c3")])
    env.sync()
    publish(env.published, [active("c1"), active("c2", record_hash="hash-c2-2")])
    assert env.sync("--full", "--max-left-pct", "100") == 0
    manifest = env.last()
    assert manifest["full"] is True
    assert manifest["counts"] == {"new": 0, "changed": 1, "cleared": 0, "left": 1, "unchanged": 0, "resent": 1}
    assert [r[key(env)] for r in env.rows("upserts")] == ["c1", "c2"]
    assert [r[key(env)] for r in env.rows("clears")] == ["c3"]


def test_dry_run_writes_neither_batch_nor_state(env, capsys):
    publish(env.published, [active("c1"), suppressed("c2")])
    assert env.sync("--dry-run") == 0
    out = capsys.readouterr().out
    assert "new 1 | changed 0 | cleared 1" in out and "dry run" in out
    assert env.files() == [] and not env.state.exists()
    env.sync()
    state_bytes, files = env.state.read_bytes(), env.files()
    publish(env.published, [active("c1", record_hash="hash-c1-2"), active("c3")])
    assert env.sync("--dry-run", "--max-left-pct", "100") == 0
    assert "new 1 | changed 1 | cleared 0 | left 1" in capsys.readouterr().out
    assert env.state.read_bytes() == state_bytes and env.files() == files
    # --out is optional with --dry-run only.
    no_out = ["--published", str(env.published), "--mapping", "hubspot", "--state", str(env.state)]
    assert sync_crm.main([*no_out, "--dry-run", "--max-left-pct", "100"]) == 0
    with pytest.raises(SystemExit) as exc:
        sync_crm.main(no_out)
    assert exc.value.code == 2


def test_mass_clear_is_refused(env, capsys):
    """A truncated publish (half the people gone) must not wipe the CRM."""
    people = [f"c{i:02d}" for i in range(40)]
    publish(env.published, [active(c) for c in people])
    env.sync()
    state_bytes, files = env.state.read_bytes(), env.files()
    publish(env.published, [active(c) for c in people[:20]])  # half the people gone
    capsys.readouterr()
    assert env.sync() == 3
    err = capsys.readouterr().err
    assert "refusing to clear 20 of 40 people active in the CRM" in err
    assert "0 newly suppressed, 20 gone from lead_routing" in err
    assert env.state.read_bytes() == state_bytes and env.files() == files
    assert env.sync("--max-left-pct", "50") == 0  # the old option name still works
    assert env.last()["counts"]["left"] == 20


def test_mass_clear_is_refused_whatever_the_reason(env, capsys):
    """A batch in which everyone became suppressed (every email invalid) would clear the whole
    CRM: refused like people leaving, and the two reasons add up (15% + 15% > 25%)."""
    people = [f"c{i:02d}" for i in range(40)]
    publish(env.published, [active(c) for c in people])
    env.sync()
    state_bytes = env.state.read_bytes()
    publish(env.published, [suppressed(c, "undeliverable") for c in people])
    capsys.readouterr()
    assert env.sync() == 3
    assert "refusing to clear 40 of 40 people active in the CRM" in capsys.readouterr().err
    assert env.state.read_bytes() == state_bytes

    mixed = [suppressed(c, "undeliverable") for c in people[:6]] + [active(c) for c in people[12:]]
    publish(env.published, mixed)  # 6 suppressed + 6 gone = 12 of 40 = 30%
    assert env.sync() == 3
    assert "6 newly suppressed, 6 gone from lead_routing" in capsys.readouterr().err
    assert env.sync("--max-clear-pct", "30") == 0
    assert env.last()["counts"]["cleared"] == 6 and env.last()["counts"]["left"] == 6


def test_small_clears_are_allowed_and_the_limit_comes_from_the_thresholds_file(env, tmp_path, capsys):
    """Up to sync.clear_allowance_people clears pass whatever the share (a small CRM); the
    share is sync.max_clear_share of the thresholds file."""
    publish(env.published, [active("c1"), active("c2"), active("c3"), active("c4")])
    env.sync()
    publish(env.published, [active("c1"), suppressed("c2"), suppressed("c3")])  # 3 of 4
    assert env.sync() == 0
    assert env.last()["counts"]["cleared"] == 2 and env.last()["counts"]["left"] == 1

    from lead_segmentation.paths import QUALITY_THRESHOLDS as DEFAULT_PATH

    strict = tmp_path / "thresholds.yml"
    text = DEFAULT_PATH.read_text().replace("clear_allowance_people: 10", "clear_allowance_people: 0")
    strict.write_text(text)
    publish(env.published, [suppressed("c1")])
    capsys.readouterr()
    assert env.sync("--thresholds", str(strict)) == 3
    assert "refusing to clear 1 of 1 people" in capsys.readouterr().err
    strict.write_text(text.replace("max_clear_share: 0.25", "max_clear_share: 2"))
    assert env.sync("--thresholds", str(strict)) == 2  # a bad thresholds file is a config error


# --------------------------------------------------------------------------- state safety


def test_state_not_updated_when_writing_a_batch_fails(env, monkeypatch, capsys):
    publish(env.published, [active("c1"), active("c2"), suppressed("c3")])
    env.sync()
    state_bytes, files = env.state.read_bytes(), env.files()
    publish(env.published, [active("c1", record_hash="hash-c1-2"), active("c2"), suppressed("c3", "competitor")])

    real = sync_crm.write_batch_file
    calls = []

    def fail_on_second_file(path, header, rows):
        calls.append(path)
        if len(calls) == 2:  # the upserts file is complete; the disk fills in the clears file

            def rows_then_disk_full():
                yield rows[0]
                raise OSError(28, "No space left on device")

            return real(path, header, rows_then_disk_full())
        return real(path, header, rows)

    monkeypatch.setattr(sync_crm, "write_batch_file", fail_on_second_file)
    capsys.readouterr()
    assert env.sync() == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "nothing was committed" in err
    assert len(calls) == 2
    assert env.state.read_bytes() == state_bytes
    assert env.files() == files  # the finished upserts file was removed too
    assert not [p for p in env.out.iterdir() if p.name.startswith(".")]
    # Nothing lost: the next run sends the same changes.
    monkeypatch.setattr(sync_crm, "write_batch_file", real)
    assert env.sync() == 0
    assert env.last()["counts"]["changed"] == 1 and env.last()["counts"]["cleared"] == 1


def test_batch_removed_when_writing_the_state_fails(env, monkeypatch):
    publish(env.published, [active("c1")])
    env.sync()
    state_bytes, files = env.state.read_bytes(), env.files()
    publish(env.published, [active("c1", record_hash="hash-c1-2")])

    def broken(path, rows):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(sync_crm, "write_state", broken)
    assert env.sync() == 1
    assert env.state.read_bytes() == state_bytes and env.files() == files
    monkeypatch.undo()
    assert env.sync() == 0 and env.last()["counts"]["changed"] == 1


@pytest.mark.parametrize("state_name", ["state.duckdb", "state.parquet", "state.json"])
def test_state_formats_round_trip(tmp_path, state_name, capsys):
    env = Env(tmp_path, state_name=state_name)
    publish(env.published, [active("c1"), active("c2"), suppressed("c3")])
    assert env.sync() == 0
    assert not list(env.state.parent.glob("*.tmp*"))
    capsys.readouterr()
    assert env.sync() == 0
    assert "nothing to sync" in capsys.readouterr().out
    publish(env.published, [active("c1"), active("c2", record_hash="x"), suppressed("c3")])
    env.sync()
    assert env.last()["counts"]["changed"] == 1
    state = env.state_rows()
    assert set(state) == {"c1", "c2", "c3"} and state["c3"].is_suppressed
    assert isinstance(state["c1"].synced_at, dt.datetime)


def test_unreadable_state_is_a_config_error(env, capsys):
    publish(env.published, [active("c1")])
    env.state.parent.mkdir(parents=True)
    env.state.write_text("not a database")
    assert env.sync() == 2
    assert "unreadable" in capsys.readouterr().err
    assert env.files() == []
    bad_suffix = Env(env.root, state_name="state.csv")
    assert bad_suffix.sync() == 2


def test_default_state_path_is_per_mapping(env, monkeypatch):
    monkeypatch.setattr(sync_crm, "DEFAULT_STATE_DIR", env.root / "default_state")
    publish(env.published, [active("c1")])
    args = ["--published", str(env.published), "--out", str(env.out), "--mapping", "salesforce"]
    assert sync_crm.main(args) == 0
    assert (env.root / "default_state" / "salesforce.duckdb").exists()
    assert env.last()["state"]["path"].endswith("salesforce.duckdb")


def test_a_second_sync_on_the_same_state_is_refused_while_one_runs(env, capsys):
    publish(env.published, [active("c1")])
    env.state.parent.mkdir(parents=True)
    with open(env.state.with_name(env.state.name + ".lock"), "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert env.sync() == 2
        assert "another sync is running" in capsys.readouterr().err
    assert env.files() == [] and not env.state.exists()
    assert env.sync() == 0  # lock released


# --------------------------------------------------------------------------- batch files and manifest


def test_manifest_describes_the_batch(env):
    publish(env.published, [active("c1"), suppressed("c2")])
    env.sync()
    manifest = env.last()
    assert manifest["published"]["as_of_date"] == "2026-06-30"
    assert manifest["published"]["scoring_version"] == "v1"
    assert manifest["mapping"]["name"] == "hubspot" and manifest["mapping"]["crm"] == "hubspot"
    for kind, operation in (("upserts", "upsert"), ("clears", "update")):
        entry = manifest["files"][kind]
        path = env.out / entry["name"]
        assert entry["name"] == f"hubspot_{manifest['batch_id']}_{kind}.csv"
        assert entry["sha256"] == sha256(path)
        assert entry["rows"] == 1 and entry["operation"] == operation
    assert manifest["state"]["people"] == 2
    assert env.files() == sorted(
        [f"hubspot_{manifest['batch_id']}_{k}" for k in ("upserts.csv", "clears.csv", "manifest.json")]
    )


def test_batch_ids_sort_in_run_order(env):
    publish(env.published, [active("c1")])
    env.sync()
    for version in range(2, 5):
        publish(env.published, [active("c1", record_hash=f"hash-c1-{version}")])
        env.sync()
    ids = [m["batch_id"] for m in env.manifests()]  # manifests() reads files in name order
    assert len(set(ids)) == 4
    assert [m["created_at"] for m in env.manifests()] == sorted(m["created_at"] for m in env.manifests())
    assert ids == sorted(ids)


@pytest.mark.parametrize("mapping_name", ["hubspot", "salesforce"])
def test_batch_columns_are_the_mapped_names_and_values_are_formatted(tmp_path, mapping_name):
    env = Env(tmp_path, mapping=mapping_name)
    mapping = load_mapping(mapping_name)
    doc = yaml.safe_load((MAPPINGS_DIR / f"{mapping_name}.yml").read_text())
    publish(
        env.published,
        [
            active("c1", is_holdout=True, sla_due_at=dt.datetime(2026, 6, 29, 15, 30, 5)),
            active("c2", sla_due_at=None, next_action='call "now", then email\nand log it'),
            suppressed("c3"),
        ],
    )
    env.sync()
    manifest = env.last()
    with open(env.out / manifest["files"]["upserts"]["name"], newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == [doc["key"]["column"], *doc["fields"].values(), doc["clear"]["reason_column"]]
    assert header == manifest["files"]["upserts"]["columns"]
    with open(env.out / manifest["files"]["clears"]["name"], newline="", encoding="utf-8") as handle:
        clear_header = next(csv.reader(handle))
    assert clear_header == [
        doc["key"]["column"],
        *(doc["fields"][f] for f in doc["fields"] if f in doc["clear"]["blank"]),
        doc["clear"]["reason_column"],
    ]
    columns = {f.key: f.crm_column for f in mapping.fields}
    c1, c2 = env.rows("upserts")
    assert c1[columns["sla_due_at"]] == "2026-06-29T15:30:05Z"
    assert c1[columns["is_holdout"]] == "true" and c2[columns["is_holdout"]] == "false"
    assert c1[columns["priority"]] == "1"
    assert c1[columns["lead_scores.fit_score"]] == "72"
    assert c2[columns["sla_due_at"]] == mapping.null_value  # NULL written as the CRM's clear marker
    assert c2[columns["next_action"]] == 'call "now", then email\nand log it'  # CSV quoting round-trips
    assert c1[mapping.reason_column] == mapping.null_value
    (clear,) = env.rows("clears")
    assert clear[columns["owner_team"]] == mapping.null_value
    if mapping_name == "salesforce":
        assert mapping.null_value == "#N/A"  # Bulk API: empty cells are ignored, #N/A nulls


def test_format_value():
    mapping = load_mapping("salesforce")
    utc_plus_2 = dt.timezone(dt.timedelta(hours=2))
    cases = [
        (None, "#N/A"),
        ("", "#N/A"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (dt.datetime(2026, 6, 30, 9, 5, 1, 999), "2026-06-30T09:05:01Z"),
        (dt.datetime(2026, 6, 30, 11, 0, tzinfo=utc_plus_2), "2026-06-30T09:00:00Z"),
        (dt.date(2026, 6, 30), "2026-06-30"),
        (12.5, "12.5"),
        (1e-7, "0.0000001"),
        (float("nan"), "#N/A"),
        (decimal.Decimal("40.10"), "40.10"),
        ("text", "text"),
    ]
    assert [sync_crm.format_value(v, mapping) for v, _ in cases] == [want for _, want in cases]


def test_editing_the_mapping_resends_the_rows_it_changes(env, tmp_path):
    publish(env.published, [active("c1"), active("c2"), suppressed("c3")])
    custom = tmp_path / "my_crm.yml"
    doc = yaml.safe_load((MAPPINGS_DIR / "hubspot.yml").read_text())
    custom.write_text(yaml.safe_dump(doc, sort_keys=False))
    env.mapping = str(custom)
    env.sync()
    assert env.last()["mapping"]["name"] == "my_crm"
    doc["fields"]["lead_scores.persona"] = "security_persona"
    custom.write_text(yaml.safe_dump(doc, sort_keys=False))
    env.sync()
    assert env.last()["counts"] == {"new": 0, "changed": 2, "cleared": 0, "left": 0, "unchanged": 1, "resent": 0}
    assert "security_persona" in env.rows("upserts")[0]


# --------------------------------------------------------------------------- mapping files


@pytest.mark.parametrize("name", ["hubspot", "salesforce"])
def test_shipped_mappings_load(name):
    mapping = load_mapping(name)
    assert mapping.name == name and mapping.crm == name
    assert mapping.fields and mapping.blank
    assert {"owner_team", "priority", "sla_hours", "sla_due_at", "next_action"} <= set(mapping.blank)
    assert len(set(mapping.upsert_header)) == len(mapping.upsert_header)
    assert mapping.timestamp_format.endswith("Z")
    for field in mapping.fields:
        if field.table == "lead_routing":
            assert field.column in LEAD_ROUTING_COLUMNS


def test_shipped_mappings_are_the_only_names(env, capsys):
    assert sync_crm.shipped_mappings() == ["hubspot", "salesforce"]
    publish(env.published, [active("c1")])
    env.mapping = "pipedrive"
    assert env.sync() == 2
    err = capsys.readouterr().err
    assert "unknown mapping 'pipedrive'" in err and "hubspot, salesforce" in err


def _edit(doc: dict, change: str) -> dict:
    doc = json.loads(json.dumps(doc))
    if change == "no_key":
        del doc["key"]
    elif change == "key_column_missing":
        del doc["key"]["column"]
    elif change == "key_is_email":
        doc["key"]["field"] = "email"
    elif change == "unknown_field":
        doc["fields"]["owner"] = "routing_owner"
    elif change == "unknown_scores_field":
        doc["fields"]["lead_scores.email"] = "email"
    elif change == "empty_column":
        doc["fields"]["segment"] = ""
    elif change == "blank_not_mapped":
        doc["clear"]["blank"].append("suppression_reason")
    elif change == "duplicate_column":
        doc["fields"]["motion"] = doc["fields"]["segment"]
    elif change == "unquoted_boolean":
        doc["format"]["true_value"] = True
    elif change == "typo_top_level":
        doc["feilds"] = {}
    elif change == "no_reason_column":
        del doc["clear"]["reason_column"]
    return doc


@pytest.mark.parametrize(
    "change, named",
    [
        ("no_key", "`key`"),
        ("key_column_missing", "`key.column`"),
        ("key_is_email", "`key.field`"),
        ("unknown_field", "`fields.owner`"),
        ("unknown_scores_field", "`fields.lead_scores.email`"),
        ("empty_column", "`fields.segment`"),
        ("blank_not_mapped", "`clear.blank`: suppression_reason"),
        ("duplicate_column", "lead_segment used twice"),
        ("unquoted_boolean", "`format.true_value`"),
        ("typo_top_level", "unknown key(s) feilds"),
        ("no_reason_column", "`clear.reason_column`"),
    ],
)
def test_invalid_mapping_names_the_key(env, tmp_path, capsys, change, named):
    publish(env.published, [active("c1")])
    doc = yaml.safe_load((MAPPINGS_DIR / "hubspot.yml").read_text())
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(_edit(doc, change), sort_keys=False))
    env.mapping = str(bad)
    assert env.sync() == 2
    err = capsys.readouterr().err
    assert named in err and str(bad) in err
    assert env.files() == [] and not env.state.exists()


def test_mapping_that_is_not_yaml(env, tmp_path, capsys):
    bad = tmp_path / "bad.yml"
    bad.write_text("fields: [unclosed\n")
    env.mapping = str(bad)
    assert env.sync() == 2
    assert "not valid YAML" in capsys.readouterr().err


# --------------------------------------------------------------------------- published data errors


def test_missing_published_file(env, capsys):
    assert env.sync() == 3
    assert "published file not found" in capsys.readouterr().err
    assert env.files() == []


def test_published_file_without_lead_routing(env, capsys):
    con = duckdb.connect(str(env.published))
    con.execute("create schema marts")
    con.execute("create table marts.lead_scores (contact_id varchar)")
    con.close()
    assert env.sync() == 3
    assert "marts.lead_routing not found" in capsys.readouterr().err


def test_missing_columns_are_named(env, capsys):
    types = {c: t for c, t in ROUTING_TYPES.items() if c not in ("next_action", "record_hash")}
    publish(env.published, [active("c1")], routing_types=types)
    assert env.sync() == 3
    err = capsys.readouterr().err
    assert "marts.lead_routing is missing column(s) record_hash, next_action" in err
    assert env.files() == [] and not env.state.exists()


def test_unmapped_missing_column_is_tolerated(env):
    """Only the columns the sync reads are required (updated_at is not mapped)."""
    types = {c: t for c, t in ROUTING_TYPES.items() if c != "updated_at"}
    publish(env.published, [active("c1")], routing_types=types)
    assert env.sync() == 0


def test_missing_lead_scores_when_the_mapping_needs_it(env, capsys):
    publish(env.published, [active("c1")], with_scores=False)
    assert env.sync() == 3
    err = capsys.readouterr().err
    assert "marts.lead_scores not found" in err and "fit_score" in err


@pytest.mark.parametrize(
    "rows, message",
    [
        ([active("c1"), active("c1")], "1 row(s) with a duplicate contact_id"),
        ([active(None)], "1 row(s) without contact_id"),
        ([active("c1", record_hash=None)], "1 row(s) without record_hash"),
        ([active("c1", is_suppressed=None)], "1 row(s) with is_suppressed NULL"),
    ],
)
def test_unusable_keys_are_refused(env, capsys, rows, message):
    publish(env.published, rows, [score("c1")])
    assert env.sync() == 3
    assert message in capsys.readouterr().err


def test_is_suppressed_must_be_boolean(env, capsys):
    publish(env.published, [active("c1")], routing_types={**ROUTING_TYPES, "is_suppressed": "varchar"})
    assert env.sync() == 3
    assert "is_suppressed is VARCHAR, expected BOOLEAN" in capsys.readouterr().err


def test_duplicate_lead_scores_would_fan_out(env, capsys):
    publish(env.published, [active("c1")], [score("c1"), score("c1", fit_score=1)])
    assert env.sync() == 3
    assert "lead_scores has 1 duplicate contact_id" in capsys.readouterr().err


def test_not_a_duckdb_file(env, capsys):
    env.published.write_text("hello")
    assert env.sync() == 3
    assert "cannot open the published file" in capsys.readouterr().err


# --------------------------------------------------------------------------- read-only access


def _run_cli(env: Env, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lead_segmentation.sync_crm", *env.args(*extra)], capture_output=True, text=True, timeout=120
    )


def test_sync_runs_while_a_reader_holds_the_published_file(env):
    """A BI tool (another process) holds the file open read-only during the sync. Had the sync
    opened it read-write, DuckDB's file lock would have refused it (checked first)."""
    publish(env.published, [active("c1"), suppressed("c2")])
    with duckdb.connect(str(env.published), read_only=True) as reader:
        assert reader.execute("select count(*) from marts.lead_routing").fetchone()[0] == 2
        writer = subprocess.run(
            [sys.executable, "-c", f"import duckdb; duckdb.connect({str(env.published)!r})"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert writer.returncode != 0 and "lock" in writer.stderr.lower()  # the control
        result = _run_cli(env)
        assert result.returncode == 0, result.stderr
        assert reader.execute("select count(*) from marts.lead_routing").fetchone()[0] == 2
    assert env.last()["counts"]["new"] == 1


def test_published_file_is_unchanged_by_a_sync(env):
    publish(env.published, [active("c1"), active("c2"), suppressed("c3")])
    assert env.sync() == 0
    publish(env.published, [active("c1", record_hash="x"), active("c2"), suppressed("c3")])
    before, mtime = sha256(env.published), env.published.stat().st_mtime_ns
    result = _run_cli(env)
    assert result.returncode == 0, result.stderr
    assert "changed 1" in result.stdout
    assert sha256(env.published) == before and env.published.stat().st_mtime_ns == mtime
    assert not env.published.with_name(env.published.name + ".wal").exists()


def test_cli_exit_codes(env):
    assert _run_cli(env).returncode == 3  # no published file yet
    publish(env.published, [active("c1")])
    assert _run_cli(env, "--max-left-pct", "150").returncode == 2  # usage error
    result = _run_cli(env)
    assert result.returncode == 0 and "new 1" in result.stdout


# --------------------------------------------------------------------------- CSV injection


def test_batch_cells_that_a_spreadsheet_would_run_are_neutralised(env):
    """Values starting with =, +, -, @, a tab or a carriage return reach the batch files with
    a leading apostrophe (OWASP CSV injection); plain numbers, negative ones included, stay."""
    evil = {
        "next_action": '=HYPERLINK("http://evil.example","click")',
        "routing_reason": "+cmd|' /C calc'!A0",
        "owner_team": "-2+3",
        "account_id": "@SUM(1+1)",
        "segment": "\t=1+1",
        "motion": "\r=1+1",
    }
    publish(
        env.published,
        [active("c1", **evil), active("=c2"), suppressed("c3", reason="=cmd()")],
        [score("c1", reason_codes="-1", fit_grade="A"), score("=c2"), score("c3")],
    )
    env.sync()
    upserts = {r["warehouse_contact_id"]: r for r in env.rows("upserts")}
    first, second = upserts["c1"], upserts["'=c2"]
    columns = {c: first[c] for c in ("routing_next_action", "routing_reason", "routing_owner_team")}
    assert columns == {
        "routing_next_action": "'" + evil["next_action"],
        "routing_reason": "'" + evil["routing_reason"],
        "routing_owner_team": "'-2+3",
    }
    assert first["warehouse_account_id"] == "'@SUM(1+1)"
    assert first["lead_segment"] == "'\t=1+1" and first["lead_motion"] == "'\r=1+1"
    assert first["score_reason_codes"] == "-1" and first["routing_priority"] == "1"  # numbers stay
    assert second["warehouse_contact_id"] == "'=c2"
    (clear,) = env.rows("clears")
    assert clear["outreach_clear_reason"] == "'=cmd()"
    raw = b"".join(p.read_bytes() for p in env.out.glob("*.csv"))
    assert b'\n=' not in raw and b',=' not in raw and b',"=' not in raw


def test_state_and_batches_are_owner_only(env):
    """The state and the batches hold contact ids and what was sent about them: 0600 files in
    0700 folders (created by the sync), whatever the umask."""
    old = os.umask(0o022)
    try:
        publish(env.published, [active("c1"), suppressed("c2")])
        env.sync()
    finally:
        os.umask(old)
    files = [env.state, *env.out.iterdir()]
    assert len(files) == 4  # state, upserts, clears, manifest
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}
    assert stat.S_IMODE(env.out.stat().st_mode) == 0o700
    assert stat.S_IMODE(env.state.parent.stat().st_mode) == 0o700
