"""SQL quoting: the one home of string literals and identifiers written into DuckDB SQL."""

from __future__ import annotations

import re

from collections.abc import Iterable


def quote_literal(value) -> str:
    """`value` as an SQL string literal: it's -> 'it''s'."""
    return "'" + str(value).replace("'", "''") + "'"


def quote_identifier(name: str, *, only_if_needed: bool = False) -> str:
    """`name` as a quoted SQL identifier, inner double quotes doubled; with `only_if_needed`, a
    plain lowercase name stays bare (easier to read in queries shown to a person)."""
    if only_if_needed and re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        return name
    return '"' + name.replace('"', '""') + '"'


def literal_list(values: Iterable) -> str:
    """A parenthesised list of string literals, for `x in (...)`."""
    return "(" + ", ".join(quote_literal(v) for v in values) + ")"
