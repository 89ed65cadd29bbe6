"""The configuration reference (docs/configuration.md), generated from the schema."""

from __future__ import annotations

from sitegen.config import CONFIG_NAME, Config

HEADER = f"""# Configuration reference

<!-- Generated from sitegen/config.py by `python -m sitegen.configdoc`; do not edit. -->

Options live in `{CONFIG_NAME}` in the folder you run `sitegen` from (or a file named
with `--config`), or in a `[tool.sitegen]` table of `pyproject.toml`. Command-line
options override the file. Unknown keys give a warning (an error with `--strict`);
a value of the wrong type is an error. Paths are relative to the config file.

| option | type | default | what it does |
|---|---|---|---|
"""


def _default(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, tuple):
        return "`[" + ", ".join(f'"{v}"' for v in value) + "]`"
    return f"`{value}`"


def _type(annotation: str) -> str:
    return (annotation.replace("tuple[str, ...]", "list of str")
            .replace("dict[str, str]", "table (name, url)").replace("|", "or"))


def render() -> str:
    """The Markdown reference."""
    rows = [
        f"| `{f.name}` | {_type(str(f.type))} | {_default(f.default)} | "
        f"{f.metadata['help']} |"
        for f in Config.options()
    ]
    example = "\n".join([
        "",
        "Example:",
        "",
        "```toml",
        'title = "Open data of the Example Mapping Agency"',
        'base_url = "https://example.github.io/open-data/"',
        'output = "site"',
        "items_per_page = 50",
        "```",
        "",
    ])
    return HEADER + "\n".join(rows) + "\n" + example


if __name__ == "__main__":
    print(render(), end="")
