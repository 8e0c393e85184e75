"""Files and folders that hold personal data are owner-only: 0600 files, 0700 folders.

What holds personal data (emails, names, phones; README "Privacy"): the work database (raw,
staging, rejected rows, test_failures, snapshots), the published file (contact and account
ids with their scores; no emails or names), the CRM sync state and batches, the demo raw data.
Each writer calls these helpers on what it creates, whatever the process umask; the command
line entry points also set umask 077 (`restrict_new_files`) so that side files (DuckDB's WAL
and spill files, dbt's target and logs, GX Data Docs) are born owner-only too. To share the
published file with a BI reader, grant access deliberately (a group, an ACL).
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def restrict_new_files() -> None:
    """Every file and folder this process (and its children, e.g. dbt) creates from now on
    is owner-only."""
    os.umask(0o077)


def private_dir(path: str | Path) -> Path:
    """Create `path` (and missing parents) owner-only. An existing folder we did not create
    (a user's --work-db folder) keeps its mode: its files are owner-only anyway."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for created in missing:
        os.chmod(created, DIR_MODE)
    return path


def private_file(path: str | Path) -> Path:
    """Make an existing file owner-only (a no-op when it does not exist)."""
    path = Path(path)
    try:
        os.chmod(path, FILE_MODE)
    except FileNotFoundError:
        pass
    return path
