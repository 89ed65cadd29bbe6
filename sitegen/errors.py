"""The exception family of sitegen.

The CLI maps every :class:`SitegenError` to a one-line message and exit code 1;
anything else reaching the CLI is a bug.
"""

from __future__ import annotations


class SitegenError(Exception):
    """Base class for errors that end a build with a clear message."""


class ConfigError(SitegenError):
    """The configuration file or an option is invalid."""


class SourceError(SitegenError):
    """The root catalog is missing, unreadable or not a STAC Catalog/Collection."""


class OutputError(SitegenError):
    """The output folder cannot be written or must not be replaced."""


class StrictError(SitegenError):
    """``--strict`` was given and the build produced warnings."""


class ThemeError(SitegenError):
    """A theme template is missing or broken."""
