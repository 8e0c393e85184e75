"""Every list has one home (issue 13): the domain lists live in seeds, the MQL/SQL definition
in int_contacts_qualified. This test fails when a second copy of one of them appears again in
the SQL, YAML or Python -- a copied accepted_values list, an `in (...)` literal, a Python
list -- so a new list gets added to its seed instead of next to the code that needs it.
"""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]

# list name -> (seed file = the home, column)
HOMES = {
    "event types": ("seeds/staging/engagement_event_types.csv", "event_type"),
    "form names": ("seeds/staging/engagement_form_names.csv", "form_name"),
    "lifecycle stages": ("seeds/staging/crm_lifecycle_stages.csv", "lifecycle_stage"),
    "topics": ("seeds/scoring/scoring_topics.csv", "topic"),
    "industries": ("seeds/scoring/scoring_fit_industries.csv", "industry"),
    "personas": ("seeds/scoring/scoring_fit_personas.csv", "persona"),
    "segments": ("seeds/scoring/scoring_segment_matrix.csv", "segment"),
    "risk levels": ("seeds/scoring/scoring_risk_levels.csv", "risk_level"),
    "intent levels": ("seeds/scoring/scoring_intent_levels.csv", "intent_level"),
    "buying stages": ("seeds/scoring/scoring_buying_stages.csv", "buying_stage"),
    "dispositions": ("seeds/routing/routing_dispositions.csv", "disposition"),
    "experiment groups": ("seeds/routing/routing_experiment_groups.csv", "experiment_group"),
}

# Where copies would be written. Unit-test fixtures mock rows (one value per row), which the
# grouping below does not mistake for a list.
SEARCHED = ["models", "macros", "tests", "snapshots", "scripts", "src", "config"]
SUFFIXES = {".sql", ".yml", ".yaml", ".py"}
# Files allowed to hold a copy, with why.
ALLOWED = {
    # this test names the homes, not the values
    "tests/test_one_home.py",
    # the pandas reference model re-implements the spec independently on purpose
    "tests/reference/scoring_model.py",
    # hand-written SQL baselines for the benchmark (docs/benchmarks.md), deliberately standalone
    "scripts/bare_sql_scores.sql",
    "scripts/bare_sql_events_from_raw.sql",
    "scripts/dev/bare_sql_scores.sql",
    "scripts/dev/bare_sql_events_from_raw.sql",
    "scripts/dev/bare_sql_events_from_staging.sql",
}
# Files that keep a copy on purpose, with the lists and why. Never add one for new code.
PENDING = {
    # the heatmap's axis order (display order, high risk first, low intent first)
    "src/lead_segmentation/report/charts.py": {"intent levels", "risk levels"},
}
# score_to_level(levels=[...]) names the contract's levels in rank order; the seed holds
# their thresholds. That argument is the one place the order is written.
LEVEL_ARGUMENT = re.compile(r"levels\s*=\s*$")


def _values(seed: str, column: str) -> set[str]:
    with (PROJECT_DIR / seed).open() as handle:
        return {row[column] for row in csv.DictReader(handle) if row[column]}


def _files():
    for folder in SEARCHED:
        root = PROJECT_DIR / folder
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(PROJECT_DIR).as_posix()
            if path.suffix in SUFFIXES and relative not in ALLOWED and "__pycache__" not in relative:
                yield relative, path.read_text(errors="replace")


TOKEN = re.compile(r"['\"]?([A-Za-z0-9_&+ -]+?)['\"]?\s*$")


def _groups(text: str):
    """Candidate list literals: bracketed / parenthesised groups and YAML block lists."""
    for match in re.finditer(r"[\[(]([^\[\]()]{3,2000})[\])]", text):
        if LEVEL_ARGUMENT.search(text[max(0, match.start() - 20):match.start()]):
            continue
        yield [part.strip() for part in match.group(1).split(",")]
    block: list[str] = []
    for line in text.splitlines() + [""]:
        item = re.match(r"^\s*-\s+['\"]?([A-Za-z0-9_]+)['\"]?\s*$", line)
        if item:
            block.append(item.group(1))
        else:
            if block:
                yield block
            block = []


def _members(group: list[str], values: set[str]) -> set[str]:
    found = set()
    for part in group:
        token = TOKEN.match(part.strip())
        if token and token.group(1).strip() in values:
            found.add(token.group(1).strip())
    return found


@pytest.mark.parametrize("name", sorted(HOMES))
def test_domain_list_is_written_only_in_its_seed(name):
    seed, column = HOMES[name]
    values = _values(seed, column)
    assert len(values) >= 2, f"{seed} lost its values"
    # Most of the list: a shorter overlap is another domain sharing words (lead statuses
    # share mql / sql with the lifecycle stages).
    needed = min(len(values), max(3, len(values) - 2))
    copies = []
    for relative, text in _files():
        if name in PENDING.get(relative, set()):
            continue
        for group in _groups(text):
            found = _members(group, values)
            if len(found) >= needed and len(found) * 2 >= len(group):
                copies.append(f"{relative}: {sorted(found)}")
    assert not copies, (
        f"the {name} are listed outside their home {seed} (read the seed instead, or test with"
        f" `relationships` to it):\n" + "\n".join(copies)
    )


# A definition of MQL written as a status list: `lead_status in ('mql', 'sql')` in SQL or YAML,
# `lead_status"] in ("mql", "sql")` or `["lead_status"].isin(["mql", "sql"])` in Python: any
# in-list of lead statuses that names mql. Readers use is_marketing_qualified instead (lead_scores
# publishes it, contract v1.3).
MQL_DEFINITION = re.compile(
    r"""lead_status\W{0,4}\s*(?:not\s+in|in|\.isin)\s*\(?\s*[(\[{]([^)\]}]*)[)\]}]""", re.I
)
MQL_VALUE = re.compile(r"""['"]mql['"]""", re.I)
# The one home of the definition: what every other model, the marts, the semantic layer and
# the report read (is_marketing_qualified, is_sales_qualified).
MQL_HOMES = {"models/intermediate/int_contacts_qualified.sql"}


def _mql_definitions(text: str) -> list[str]:
    return [m.group(0) for m in MQL_DEFINITION.finditer(text) if MQL_VALUE.search(m.group(1))]


def test_mql_definition_is_written_once():
    homes = dict(_files())
    for home in MQL_HOMES:
        assert _mql_definitions(homes[home]), f"{home} no longer defines MQL: update MQL_HOMES"
    copies = [
        f"{relative}: {found}"
        for relative, text in _files()
        if relative not in MQL_HOMES and (found := _mql_definitions(text))
    ]
    assert not copies, (
        "MQL / SQL defined again from lead_status (read is_marketing_qualified /"
        " is_sales_qualified of int_contacts_enriched or marts.lead_scores):\n" + "\n".join(copies)
    )


def test_the_detector_finds_a_second_mql_definition():
    """The check itself can fail: SQL, YAML and Python spellings are found; other status
    tests are not mistaken for one."""
    found = [
        "select count(*) from marts.lead_scores where lead_status in ('mql', 'sql')",
        "expr: case when lead_status IN ('sql','mql') then 1 else 0 end",
        "leveled.lead_status in ('lead', 'mql') as is_eligible",
        'people["lead_status"].isin(["mql", "sql"]).mean()',
        'row["lead_status"] in ("mql", "sql")',
        "if lead_status in {'mql', 'sql'}:",
    ]
    for text in found:
        assert _mql_definitions(text), text
    for text in (
        "lead_status = 'customer'",
        "leveled.lead_status not in ('sql', 'customer') as is_eligible",
        "then 'mql'",
        "case when is_marketing_qualified then 1 else 0 end",
    ):
        assert not _mql_definitions(text), text


def test_the_detector_finds_a_copied_list(tmp_path):
    """The check itself can fail: a copied accepted_values list and an SQL in-list are found."""
    values = _values(*HOMES["event types"])
    flow = "values: [page_view, email_open, email_click, unsubscribe]"
    block = "values:\n  - page_view\n  - email_open\n  - email_bounce\n"
    sql = "where event_type in ('page_view', 'email_open', 'webinar_attended')"
    for text in (flow, block, sql):
        assert any(len(_members(group, values)) >= 3 for group in _groups(text)), text


def test_pending_python_copies_are_still_there():
    """A PENDING entry whose copy is gone must be removed, so the exemption cannot outlive it."""
    texts = dict(_files())
    for relative, names in PENDING.items():
        assert relative in texts, f"{relative} is gone: drop it from PENDING"
        for name in names:
            values = _values(*HOMES[name])
            needed = min(len(values), max(3, len(values) - 2))
            assert any(
                len(found := _members(group, values)) >= needed and len(found) * 2 >= len(group)
                for group in _groups(texts[relative])
            ), f"{relative} no longer copies the {name}: drop it from PENDING"


# Descriptions say where a list lives, not what it holds today: a description that names most
# of a seed's values goes stale when the seed changes (read: "a level of seed scoring_risk_levels").
# Two-value domains (experiment groups) are too short to tell a list from plain words.
DOC_BLOCK_BODY = re.compile(r"{%-?\s*docs\s+(\w+)\s*-?%}(.*?){%-?\s*enddocs\s*-?%}", re.S)
WORD = r"(?<![A-Za-z0-9_]){}(?![A-Za-z0-9_])"


@functools.cache
def _descriptions() -> tuple[tuple[str, str], ...]:
    """(where, text) of every model and column description and every doc block."""
    return tuple(_read_descriptions())


def _read_descriptions():
    import yaml

    for path in sorted((PROJECT_DIR / "models").rglob("*.yml")):
        relative = path.relative_to(PROJECT_DIR).as_posix()
        for model in (yaml.safe_load(path.read_text()) or {}).get("models") or []:
            yield f"{relative}: {model['name']}", str(model.get("description") or "")
            for column in model.get("columns") or []:
                yield f"{relative}: {model['name']}.{column['name']}", str(column.get("description") or "")
    for path in sorted((PROJECT_DIR / "models" / "_docs").glob("*.md")):
        for name, body in DOC_BLOCK_BODY.findall(path.read_text()):
            yield f"models/_docs/{path.name}: {name}", body


def _restated(text: str, values: set[str]) -> set[str]:
    return {value for value in values if re.search(WORD.format(re.escape(value)), text)}


@pytest.mark.parametrize("name", sorted(name for name in HOMES if len(_values(*HOMES[name])) >= 3))
def test_descriptions_do_not_restate_seed_values(name):
    values = _values(*HOMES[name])
    needed = min(len(values), max(3, len(values) - 2))
    copies = [
        f"{where}: {sorted(found)}"
        for where, text in _descriptions()
        if len(found := _restated(text, values)) >= needed
    ]
    assert not copies, (
        f"descriptions list the {name} of {HOMES[name][0]} (name the seed instead):\n" + "\n".join(copies)
    )


def test_the_restated_values_check_can_fail():
    values = _values(*HOMES["risk levels"])
    assert len(_restated("low / medium / high / critical, or unknown", values)) >= 3
    assert not _restated("a level of seed scoring_risk_levels; highest first", values)


# The schema of the records a run keeps for later runs: one name on each side of the project.
OPS_HOMES = {"src/lead_segmentation/contract.py", "macros/quality/ops_relation.sql"}
OPS_WRITTEN = re.compile(
    r"""['"]ops['"]|\b(?:create\s+schema|exists)\s+ops\b|\b(?:exists|into|from|table|join)\s+(?:\w+\.)?ops\.\w""",
    re.IGNORECASE,
)


def _ops_written(relative: str, text: str) -> list[str]:
    comment = "--" if relative.endswith(".sql") else "#"
    return [
        f"{relative}:{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), 1)
        if OPS_WRITTEN.search(line.split(comment)[0])
    ]


def test_ops_schema_is_named_once_per_side():
    from lead_segmentation.contract import OPS_SCHEMA

    macro = (PROJECT_DIR / "macros/quality/ops_relation.sql").read_text()
    assert f'schema="{OPS_SCHEMA}"' in macro, "macro ops_relation and contract.OPS_SCHEMA name different schemas"
    # The project's code (pytest files may query the records by name).
    code = ("src/", "macros/", "models/", "snapshots/", "tests/generic/")
    copies = [
        found
        for relative, text in _files()
        if relative.startswith(code) and relative.endswith((".sql", ".py")) and relative not in OPS_HOMES
        for found in _ops_written(relative, text)
    ]
    assert not copies, "schema ops written outside its homes (use OPS_SCHEMA / ops_relation):\n" + "\n".join(copies)


def test_the_ops_detector_finds_a_written_schema():
    assert _ops_written("src/x.py", 'con.execute("create schema if not exists ops")')
    assert _ops_written("src/x.py", 'f"select run_id from ops.pipeline_runs"')
    assert _ops_written("macros/x.sql", "{% set r = adapter.get_relation(schema='ops', identifier='x') %}")
    assert not _ops_written("src/x.py", 'f"select run_id from {OPS_SCHEMA}.pipeline_runs"  # ops.pipeline_runs')
    assert not _ops_written("macros/x.sql", "-- appends to ops.row_rules_verified")
