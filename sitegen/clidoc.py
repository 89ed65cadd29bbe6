"""The command-line reference (docs/cli.md), generated from the typer app."""

from __future__ import annotations

from typer.testing import CliRunner

from sitegen.cli import app

HEADER = """# Command-line reference

<!-- Generated from sitegen/cli.py by `python -m sitegen.clidoc`; do not edit. -->

`sitegen` has three commands: `build` writes the site, `serve` builds, serves and
rebuilds on every change, `init` writes a config and deploy files. Options given on the
command line override the config file (see the
[configuration reference](configuration.md)). Exit codes: `0` done (warnings allowed),
`1` failed (the previous site is kept), `2` usage error, `130` interrupted.
"""


def commands() -> list[str]:
    """The command names, in the order they are declared."""
    return [info.name or (info.callback.__name__ if info.callback else "")
            for info in app.registered_commands]


def render() -> str:
    """The reference: each command's ``--help`` text, as an 88-column terminal shows it."""
    runner = CliRunner()
    parts = [HEADER]
    for name in commands():
        result = runner.invoke(app, [name, "--help"], prog_name="sitegen",
                               env={"COLUMNS": "88", "NO_COLOR": "1", "TERM": "dumb"})
        if result.exit_code != 0:
            raise RuntimeError(f"sitegen {name} --help failed: {result.output}")
        parts.append(f"\n## sitegen {name}\n\n```text\n{result.output.rstrip()}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    print(render(), end="")
