"""Exception types shared by several job steps."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration file, argument or state file is unusable; the message names the file or
    key and says what to fix."""
