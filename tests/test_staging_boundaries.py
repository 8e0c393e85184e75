"""Staging reads only its own source (issue 14, "Architecture"; docs/architecture.md).

A staging model of `models/staging/<folder>/` may read `source('<folder>', ...)`, seeds and
the `base_<folder>__*` models of its own folder (dbt Labs' base-model pattern); never a model
of another staging folder, never an `stg_` model, never a model of another layer (the
identity map, `int_contact_identities_resolved`, is intermediate). The project is parsed once
per CRM source (var crm_source files, then hubspot; both with var segment_enabled), as each
source folder is enabled only for its source, so the models a var switches off are judged too.

KNOWN_BREACHES lists the edges the restructure has not yet removed, each with why it is
still there. The test fails on any breach not listed, and on a listed one that is gone (so
the list only shrinks, and says exactly what is left).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_dbt

# One parse per CRM source, Segment on in both: together they enable every staging folder.
SOURCES_VARS = (
    {"crm_source": "files", "segment_enabled": True},
    {"crm_source": "hubspot", "segment_enabled": True},
)

# (staging model, model it reads): why the edge is still there. Shrink only. Empty since
# issue 14's restructure: every source folder runs its own chain, the switch is after staging.
KNOWN_BREACHES: dict[tuple[str, str], str] = {}


def staging_folder(node: dict) -> str | None:
    """The source folder of a staging model (`models/staging/<folder>/...`), else None."""
    if node["resource_type"] != "model":
        return None
    parts = Path(node["original_file_path"]).parts
    if parts[:2] == ("models", "staging") and len(parts) > 3:
        return parts[2]
    return None


def staging_breaches(manifest: dict) -> dict[tuple[str, str], str]:
    """(staging model, what it reads) -> the rule it breaks, for every staging model that
    reads anything but its own source, seeds and base_<own folder>__ models."""
    nodes = {**manifest["nodes"], **manifest.get("sources", {})}
    breaches: dict[tuple[str, str], str] = {}
    for node in manifest["nodes"].values():
        folder = staging_folder(node)
        if folder is None:
            continue
        for parent_id in node["depends_on"]["nodes"]:
            parent = nodes[parent_id]
            kind = parent["resource_type"]
            if kind == "seed":
                continue
            if kind == "source":
                if parent["source_name"] != folder:
                    breaches[(node["name"], parent["name"])] = f"reads source {parent['source_name']}"
                continue
            parent_folder = staging_folder(parent)
            if parent_folder is None:
                reason = f"reads a {kind} of another layer ({parent['original_file_path']})"
            elif parent_folder != folder:
                reason = f"reads staging folder {parent_folder}"
            elif parent["name"].startswith("stg_"):
                reason = "reads an stg_ model"
            elif not parent["name"].startswith(f"base_{folder}__"):
                reason = f"reads a model not named base_{folder}__*"
            else:
                continue
            breaches[(node["name"], parent["name"])] = reason
    return breaches


def _model(name: str, folder: str, parents: list[str], layer: str = "staging") -> tuple[str, dict]:
    path = f"models/{layer}/{folder}/{name}.sql" if layer == "staging" else f"models/{layer}/{name}.sql"
    return f"model.p.{name}", {
        "name": name,
        "resource_type": "model",
        "original_file_path": path,
        "depends_on": {"nodes": parents},
    }


def test_every_kind_of_breach_is_found():
    """The rule itself, on a made-up manifest: each forbidden edge is named, the allowed
    ones (own source, seed, own base model) are not."""
    nodes = dict(
        [
            _model("base_crm__contacts", "crm", ["source.p.crm.crm_contacts", "seed.p.country_aliases"]),
            _model("stg_crm__contacts", "crm", ["model.p.base_crm__contacts"]),
            _model("stg_crm__frameworks", "crm", ["model.p.stg_crm__contacts"]),
            _model("base_crm__deals", "crm", ["model.p.base_hubspot__deal"]),
            _model("stg_crm__people", "crm", ["model.p.int_contact_identities_resolved"]),
            _model("stg_crm__odd", "crm", ["model.p.helper_crm"]),
            _model("base_crm__events", "crm", ["source.p.engagement.events"]),
            _model("base_hubspot__deal", "hubspot", ["source.p.hubspot.deal"]),
            _model("helper_crm", "crm", []),
            _model("int_contact_identities_resolved", "", ["model.p.stg_crm__contacts"], layer="intermediate"),
        ]
    )
    nodes["seed.p.country_aliases"] = {"name": "country_aliases", "resource_type": "seed"}
    sources = {
        "source.p.crm.crm_contacts": {"name": "crm_contacts", "resource_type": "source", "source_name": "crm"},
        "source.p.engagement.events": {"name": "events", "resource_type": "source", "source_name": "engagement"},
        "source.p.hubspot.deal": {"name": "deal", "resource_type": "source", "source_name": "hubspot"},
    }
    breaches = staging_breaches({"nodes": nodes, "sources": sources})
    assert breaches == {
        ("stg_crm__frameworks", "stg_crm__contacts"): "reads an stg_ model",
        ("base_crm__deals", "base_hubspot__deal"): "reads staging folder hubspot",
        ("stg_crm__people", "int_contact_identities_resolved"): (
            "reads a model of another layer (models/intermediate/int_contact_identities_resolved.sql)"
        ),
        ("stg_crm__odd", "helper_crm"): "reads a model not named base_crm__*",
        ("base_crm__events", "events"): "reads source engagement",
    }


@pytest.mark.slow
def test_staging_models_read_only_their_own_source(tmp_path):
    manifest: dict = {"nodes": {}, "sources": {}}
    for number, variables in enumerate(SOURCES_VARS):
        target = tmp_path / f"target_{number}"
        result = run_dbt(
            ["parse"], database=target / "unused.duckdb", target_path=target, extra_vars=variables, check=False
        )
        assert result.returncode == 0, f"dbt parse failed:\n{result.stdout[-5000:]}\n{result.stderr[-2000:]}"
        parsed = json.loads((target / "manifest.json").read_text())
        manifest["nodes"].update(parsed["nodes"])
        manifest["sources"].update(parsed.get("sources", {}))
    # every source folder is really in the parses (the vars switched the optional ones on)
    folders = {staging_folder(n) for n in manifest["nodes"].values()} - {None}
    assert folders >= {"crm", "engagement", "hubspot", "segment"}, folders
    breaches = staging_breaches(manifest)
    new = {edge: why for edge, why in breaches.items() if edge not in KNOWN_BREACHES}
    gone = sorted(edge for edge in KNOWN_BREACHES if edge not in breaches)
    assert not new, f"staging models reading outside their own source: {new}"
    assert not gone, f"listed breaches that are fixed now; remove them from KNOWN_BREACHES: {gone}"
