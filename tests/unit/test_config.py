from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.config import Config, find_config_file, load_config
from sitegen.errors import ConfigError


def test_defaults_without_file() -> None:
    config, diags = load_config(None)
    assert config == Config() and diags == []


def test_file_values_override_defaults_and_cli_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "sitegen.toml"
    path.write_text('title = "My data"\nitems_per_page = 10\noutput = "public"\n'
                    'base_url = "https://x.example/repo/"\n', encoding="utf-8")
    config, diags = load_config(path, {"items_per_page": 5, "title": None})
    assert diags == []
    assert config.title == "My data" and config.items_per_page == 5
    assert config.output == str(tmp_path / "public")  # relative to the config file
    assert config.base_url == "https://x.example/repo/"


def test_unknown_keys_warn_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "sitegen.toml"
    path.write_text('titel = "typo"\n', encoding="utf-8")
    _, diags = load_config(path)
    assert len(diags) == 1 and "titel" in diags[0].message and diags[0].file == str(path)


@pytest.mark.parametrize("text", ['items_per_page = "ten"', "items_per_page = 0",
                                  'base_url = "not a url"', 'base_url = "http://[x/"',
                                  "copy_assets = 1",
                                  "title = [", "jobs = true"])
def test_bad_values_are_config_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "sitegen.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(path)


def test_pyproject_tool_table_is_found(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.sitegen]\ntitle = "From pyproject"\n',
                                             encoding="utf-8")
    found = find_config_file(tmp_path)
    assert found == tmp_path / "pyproject.toml"
    config, _ = load_config(found)
    assert config.title == "From pyproject"
    (tmp_path / "sitegen.toml").write_text('title = "Own file"\n', encoding="utf-8")
    assert find_config_file(tmp_path) == tmp_path / "sitegen.toml"


def test_every_option_is_documented() -> None:
    for option in Config.options():
        assert option.metadata.get("help"), option.name
