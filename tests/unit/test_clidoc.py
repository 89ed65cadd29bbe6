from __future__ import annotations

from sitegen.clidoc import commands, render
from tests.conftest import REPO


def test_cli_reference_matches_the_commands() -> None:
    # Compared word by word: line wrapping may differ between terminals and typer versions.
    on_disk = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert on_disk.split() == render().split(), \
        "run: python -m sitegen.clidoc > docs/cli.md"
    assert commands() == ["build", "serve", "init"]
    for flag in ("--timings", "--offline", "--github-pages", "--s3", "--port"):
        assert flag in on_disk
