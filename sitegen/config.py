"""Site configuration: one typed schema, read from ``sitegen.toml`` or ``pyproject.toml``.

Every option is a field of :class:`Config` with its help text in the field metadata,
so the documentation and the validation come from one place. CLI options override
file values. Unknown keys give a warning (an error with ``--strict``).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sitegen import i18n
from sitegen.errors import ConfigError
from sitegen.reporter import Diagnostic

CONFIG_NAME = "sitegen.toml"


def _opt(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Config:
    """All options of a build. Field metadata ``help`` documents each one."""

    title: str | None = _opt(
        None, "Site title shown in the header and in page titles. Default: the root's title."
    )
    description: str | None = _opt(
        None, "Short site description for the home page's meta description. Default: from "
        "the root catalog's description."
    )
    base_url: str | None = _opt(
        None,
        "Absolute URL where the site will be published, e.g. "
        "`https://user.github.io/repo/`. Needed for canonical URLs and self links; "
        "pages work without it.",
    )
    output: str = _opt("site", "Output folder (relative to the config file).")
    theme: str | None = _opt(
        None,
        "A theme folder whose templates and static files override the default theme "
        "(relative to the config file).",
    )
    items_per_page: int = _opt(
        100, "Entries (child catalogs and collections first, then items) listed per page on "
        "catalog and collection pages; more go to index-2.html, index-3.html...")
    jobs: int | None = _opt(None, "Worker processes for rendering item pages. Default: all cores.")
    copy_assets: bool = _opt(
        True,
        "Copy asset files that are stored inside the source folder (thumbnails, data) into "
        "the site, hard-linking where the file system allows. Off: such assets link to "
        "`asset_base_url` when set, and are shown as text otherwise.",
    )
    asset_base_url: str | None = _opt(
        None,
        "URL at which the source folder itself is published. Relative asset hrefs that are "
        "not copied resolve against it.",
    )
    remote_images: bool = _opt(
        False,
        "Show thumbnails and image assets hosted elsewhere inline. Off (default): pages "
        "request nothing from other hosts (privacy, offline use) and link to such images.",
    )
    download_roles: tuple[str, ...] = _opt(
        ("data",),
        "Asset roles listed in the bulk downloads (download.sh, urls.txt, Metalink) of "
        "items, collections and catalogs. Assets without roles are always listed.",
    )
    tiles: str = _opt(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "Map tile URL template ({z}/{x}/{y}), or \"none\" for no tiles. Tiles are the only "
        "thing pages load from another host; when they cannot load, the bundled Natural "
        "Earth land layer is shown instead.",
    )
    tiles_attribution: str = _opt(
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
        "contributors",
        "Attribution shown on maps for the tiles (HTML).",
    )
    offline: bool = _opt(
        False, "Never load map tiles: always draw the bundled Natural Earth land layer "
        "(for sites on USB sticks or intranets).",
    )
    items_structured_data: str = _opt(
        "auto",
        "Dataset JSON-LD on item pages: \"auto\" (only in collections of at most 10,000 "
        "items, to spare search engines' crawl budget), \"always\" or \"never\".",
    )
    is_accessible_for_free: bool | None = _opt(
        None, "Written to the JSON-LD of every Dataset as isAccessibleForFree when set.")
    publisher: dict[str, str] | None = _opt(
        None, "The publishing organisation for JSON-LD, as a table: "
        "`publisher = {name = \"...\", url = \"https://...\"}`. Default: the host providers.")
    funder: dict[str, str] | None = _opt(
        None, "The funding organisation for JSON-LD, as a table like `publisher`.")
    sitemap_items: bool = _opt(
        True, "List item pages in sitemap.xml (catalog and collection pages are always "
        "listed). Needs `base_url`.")
    language: str = _opt(
        "en", "Language of the interface (labels, buttons, messages of the search page), "
        "as a tag: `en`, `de` or `sv`, or one a theme adds. Written to `<html lang>`; "
        "a regional tag such as `de-CH` uses the `de` texts.")
    logo: str | None = _opt(
        None, "An image (PNG, SVG, JPEG, WebP or GIF) shown before the site title in every "
        "page header; copied to `_static/`. A path relative to the config file.")
    accent_color: str | None = _opt(
        None, "The colour of links, buttons and map shapes, as `#rrggbb`. Text on it is "
        "white or black, whichever reads better; a colour too light to read on white gives "
        "a warning.")
    accent_color_dark: str | None = _opt(
        None, "The accent colour in dark mode (`#rrggbb`; default: the theme's).")
    timeout: float = _opt(
        30.0, "Seconds to wait for a remote server (connecting, or between two pieces of a "
        "document). A whole document must arrive within ten times this.")
    retries: int = _opt(
        2, "Extra attempts for a remote document after a timeout, a dropped connection or "
        "an HTTP 429/5xx answer, waiting 0.5 s, 1 s, 2 s... between them (or the server's "
        "Retry-After, up to 60 s).")
    max_connections: int = _opt(
        4, "Most http(s) requests in flight at once when reading a remote catalog.")
    max_document_mb: float = _opt(
        256.0, "Largest STAC document read, in megabytes (local or remote); larger ones are "
        "reported and skipped.")
    strict: bool = _opt(False, "Treat every warning as an error (exit code 1).")
    cache: bool = _opt(
        True, "Keep a build cache, so a rebuild re-reads and re-renders only what "
        "changed. It lives in the user's cache folder (`~/.cache/stac-sitegen/` on Linux; "
        "`SITEGEN_CACHE_DIR` overrides), one folder per output folder. Off: every build "
        "starts from scratch and the output's cache is removed. Catalogs read over "
        "http(s) are never cached.")

    @classmethod
    def options(cls) -> list[dataclasses.Field[Any]]:
        """The schema: every option field, in declaration order."""
        return list(dataclasses.fields(cls))


def _check_type(name: str, value: Any, annotation: str) -> Any:
    """Validate one TOML value against the field's annotation string."""
    optional = annotation.endswith("| None")
    base = annotation.split(" | ")[0].strip()
    if value is None and optional:
        return None
    if base == "str" and isinstance(value, str):
        return value
    if base == "bool" and isinstance(value, bool):
        return value
    if base == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if base == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if base == "tuple[str, ...]" and isinstance(value, list) and \
            all(isinstance(v, str) for v in value):
        return tuple(value)
    if base == "dict[str, str]" and isinstance(value, dict) and \
            all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        unknown = set(value) - {"name", "url"}
        if unknown or "name" not in value:
            raise ConfigError(f"option {name!r} takes a table with name and url, "
                              f"got keys {sorted(value)}")
        return dict(value)
    raise ConfigError(f"option {name!r} must be {base}, got {type(value).__name__} {value!r}")


def find_config_file(start: Path) -> Path | None:
    """Return ``sitegen.toml``, or a ``pyproject.toml`` with ``[tool.sitegen]``, in ``start``."""
    candidate = start / CONFIG_NAME
    if candidate.is_file():
        return candidate
    pyproject = start / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None
        if isinstance(data.get("tool"), dict) and "sitegen" in data["tool"]:
            return pyproject
    return None


def load_config(
    path: Path | None, overrides: dict[str, Any] | None = None
) -> tuple[Config, list[Diagnostic]]:
    """Read the config file (when given) and apply CLI overrides.

    Args:
        path: A ``sitegen.toml`` or ``pyproject.toml`` path, or None for defaults.
        overrides: Option values from the command line; None values are ignored.

    Returns:
        The config and the warnings about it (unknown keys).

    Raises:
        ConfigError: The file cannot be read or parsed, or a value has the wrong type.
    """
    diags: list[Diagnostic] = []
    values: dict[str, Any] = {}
    base_dir = Path.cwd()
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        if path.name == "pyproject.toml":
            tool = data.get("tool", {})
            data = tool.get("sitegen", {}) if isinstance(tool, dict) else {}
            if not isinstance(data, dict):
                raise ConfigError(f"{path}: [tool.sitegen] must be a table")
        base_dir = path.resolve().parent
        known = {f.name: f for f in Config.options()}
        for key, value in data.items():
            if key not in known:
                diags.append(Diagnostic(str(path), f"unknown option {key!r} is ignored"))
                continue
            values[key] = _check_type(key, value, str(known[key].type))
        for key in ("output", "theme", "logo"):
            if isinstance(values.get(key), str):
                values[key] = os.path.normpath(base_dir / values[key])
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    config = Config(**values)
    _validate(config)
    return config, diags


def _validate(config: Config) -> None:
    if config.items_per_page < 1:
        raise ConfigError("items_per_page must be at least 1")
    if config.jobs is not None and config.jobs < 1:
        raise ConfigError("jobs must be at least 1")
    if config.timeout <= 0:
        raise ConfigError("timeout must be positive")
    if config.retries < 0:
        raise ConfigError("retries must be 0 or more")
    if config.max_connections < 1:
        raise ConfigError("max_connections must be at least 1")
    if config.max_document_mb <= 0:
        raise ConfigError("max_document_mb must be positive")
    if not i18n.TAG.fullmatch(config.language):
        raise ConfigError(f"language must be a language tag like \"de\" or \"pt-BR\", "
                          f"got {config.language!r}")
    for key in ("accent_color", "accent_color_dark"):
        value = getattr(config, key)
        if value is not None and not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ConfigError(f"{key} must be a colour like \"#0b5cad\", got {value!r}")
    if config.logo is not None:
        suffix = os.path.splitext(config.logo)[1].lower()
        if suffix not in LOGO_TYPES:
            raise ConfigError(f"logo must be a {', '.join(sorted(LOGO_TYPES))} file, "
                              f"got {config.logo!r}")
        if not os.path.isfile(config.logo):
            raise ConfigError(f"logo file not found: {config.logo}")
    if config.items_structured_data not in ("auto", "always", "never"):
        raise ConfigError("items_structured_data must be \"auto\", \"always\" or \"never\"")
    for key in ("base_url", "asset_base_url"):
        value = getattr(config, key)
        if value is not None:
            try:
                parsed = urlparse(value)
                absolute = parsed.scheme in ("http", "https") and bool(parsed.netloc)
            except ValueError:  # "http://[x": urllib refuses it
                absolute = False
            if not absolute:
                raise ConfigError(f"{key} must be an absolute http(s) URL, got {value!r}")


#: Image types a logo may have.
LOGO_TYPES = frozenset({".png", ".svg", ".jpg", ".jpeg", ".webp", ".gif"})


def site_url(config: Config) -> str | None:
    """The base URL with exactly one trailing slash, or None."""
    if not config.base_url:
        return None
    return config.base_url.rstrip("/") + "/"
