"""Docs that stay true (issue 13): links in the README and docs/ resolve inside the repository
(the spec is vendored in docs/spec/), and docs/architecture.md shows the DAG of the manifest."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _documents():
    yield PROJECT_DIR / "README.md"
    yield from sorted((PROJECT_DIR / "docs").rglob("*.md"))


def test_relative_links_resolve_inside_the_repository():
    broken = []
    for document in _documents():
        for target in LINK.findall(document.read_text()):
            if re.match(r"^[a-z]+:", target):
                continue  # http(s), mailto
            resolved = (document.parent / target).resolve()
            if not resolved.exists() or PROJECT_DIR not in resolved.parents:
                broken.append(f"{document.relative_to(PROJECT_DIR)}: {target}")
    assert not broken, f"links that do not resolve inside the repository: {broken}"


def test_nothing_points_outside_the_repository_to_the_spec():
    """The spec the code cites travels with the repo (docs/spec/): no ../shared paths."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = [
        path
        for path in tracked
        if path != "CHANGELOG.md"
        and path != "tests/test_docs.py"
        and (PROJECT_DIR / path).is_file()
        and "../shared/spec" in (PROJECT_DIR / path).read_text(errors="replace")
    ]
    assert not offenders, f"link the vendored docs/spec/ instead: {offenders}"
    for name in ("CONTRACT.md", "SCORING_MODEL.md"):
        assert (PROJECT_DIR / "docs" / "spec" / name).stat().st_size > 1000


def test_architecture_doc_shows_the_dag_of_the_manifest(tmp_path):
    """The DAG in docs/architecture.md is the one dbt parses now (regenerate it with
    scripts/dev/dag_doc.py --write docs/architecture.md after changing refs)."""
    import json

    from conftest import dev_script
    from test_conventions import parse

    dag_doc = dev_script("dag_doc")
    target = tmp_path / "target"
    parse(PROJECT_DIR, target)
    expected = dag_doc.mermaid(json.loads((target / "manifest.json").read_text()))
    documented = dag_doc.current_block((PROJECT_DIR / "docs" / "architecture.md").read_text())
    assert documented == expected, (
        "docs/architecture.md shows an old DAG: run `python scripts/dev/dag_doc.py --manifest"
        " <target>/manifest.json --write docs/architecture.md` after `dbt parse`"
    )
    # Left to right: no staging model reads intermediate or marts, no intermediate reads marts.
    assert "subgraph intermediate" in documented and "int_contacts_enriched --> lead_scores" in documented


# ---- shared column docs ----------------------------------------------------------------------
# A column shared by several models with the same meaning is described once, in a {% docs %}
# block of models/_docs/*.md, and each model YAML reads it: "{{ doc('name') }}".
DOC_BLOCK = re.compile(r"{%-?\s*docs\s+(\w+)\s*-?%}")
DOC_REFERENCE = re.compile(r"""doc\(\s*['"](\w+)['"]\s*\)""")
# A connector staging column's lineage note (`From `id`; text.`) names the connector column it
# is read from: the same words in two models describe two different tables' columns.
LINEAGE_NOTE = re.compile(r"^From `[^`]+`; [a-z ]+\.$")


def _model_columns():
    """(yaml file, model, column, inline description) of every documented model column."""
    import yaml

    for path in sorted((PROJECT_DIR / "models").rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models") or []:
            for column in model.get("columns") or []:
                text = str(column.get("description") or "")
                yield path.relative_to(PROJECT_DIR).as_posix(), model["name"], column["name"], text


def _repeated_descriptions(columns) -> dict[str, list[str]]:
    by_text: dict[str, set[str]] = {}
    for relative, model, column, raw in columns:
        text = " ".join(raw.split())  # YAML folding and spacing do not make two texts differ
        if not text or DOC_REFERENCE.search(text) or LINEAGE_NOTE.match(text):
            continue
        by_text.setdefault(text, set()).add(f"{relative} ({model}.{column})")
    return {text: sorted(where) for text, where in by_text.items() if len({w.split(" ")[0] for w in where}) > 1}


def test_a_description_shared_by_models_is_a_doc_block():
    repeated = _repeated_descriptions(_model_columns())
    assert not repeated, (
        "the same column description is written inline in several model YAMLs: move it to a"
        " {% docs %} block in models/_docs/ and read it with \"{{ doc('name') }}\":\n"
        + "\n".join(f"{text!r}: {where}" for text, where in repeated.items())
    )


def test_the_repeated_description_check_can_fail():
    columns = [
        ("models/a.yml", "a", "contact_id", "The person."),
        ("models/b.yml", "b", "contact_id", "The  person."),
        ("models/c.yml", "c", "contact_id", "{{ doc('contact_id') }}"),
        ("models/a.yml", "a", "id", "From `id`; text."),
        ("models/b.yml", "b", "id", "From `id`; text."),
    ]
    assert list(_repeated_descriptions(columns)) == ["The person."]


def test_doc_blocks_are_defined_once_and_used():
    blocks: dict[str, list[str]] = {}
    for path in sorted((PROJECT_DIR / "models" / "_docs").glob("*.md")):
        for name in DOC_BLOCK.findall(path.read_text()):
            blocks.setdefault(name, []).append(path.name)
    assert len(blocks) >= 20
    twice = {name: files for name, files in blocks.items() if len(files) > 1}
    assert not twice, f"doc blocks defined more than once: {twice}"
    used = set()
    for path in [*(PROJECT_DIR / "models").rglob("*.yml"), *(PROJECT_DIR / "seeds").rglob("*.yml"),
                 *(PROJECT_DIR / "macros").rglob("*.yml"), *(PROJECT_DIR / "snapshots").rglob("*.yml")]:
        used.update(DOC_REFERENCE.findall(path.read_text()))
    unused = sorted(set(blocks) - used)
    assert not unused, f"doc blocks nobody reads (remove them): {unused}"
