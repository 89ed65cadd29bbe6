from __future__ import annotations

from sitegen.configdoc import render
from tests.conftest import REPO


def test_configuration_reference_matches_the_schema() -> None:
    on_disk = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert on_disk == render(), "run: python -m sitegen.configdoc > docs/configuration.md"
