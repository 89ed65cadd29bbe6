from __future__ import annotations

from sitegen.render import default_theme_dir, make_environment


def test_template_dot_access_on_dicts_means_keys_not_methods() -> None:
    env = make_environment((str(default_theme_dir()),))
    template = env.from_string("{{ d.items }}|{{ d.copy }}")
    assert template.render(d={"items": "I", "copy": "C"}) == "I|C"


def test_autoescape_is_on_for_strings_and_files() -> None:
    env = make_environment((str(default_theme_dir()),))
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
