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
    import importlib.util
    import json

    from test_conventions import parse

    spec = importlib.util.spec_from_file_location("dag_doc", PROJECT_DIR / "scripts" / "dev" / "dag_doc.py")
    dag_doc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dag_doc)
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
