from __future__ import annotations

import re

import pytest

from sitegen import fields, sitemap
from sitegen.fields import (
    bbox_text,
    datetime_text,
    format_datetime,
    format_number,
    label,
    value_html,
)


def test_labels() -> None:
    assert label("eo:cloud_cover") == "Cloud Cover"  # from the stac-fields dictionary
    assert label("my_custom-field") == "My custom field"
    assert label("foo:bar_baz") == "Bar baz"


def test_datetimes_are_readable() -> None:
    assert format_datetime("2021-07-01T10:20:30Z") == "2021-07-01 10:20:30 UTC"
    assert format_datetime("2021-07-01T10:20:00Z") == "2021-07-01 10:20 UTC"
    assert format_datetime("2021-07-01") == "2021-07-01"
    assert format_datetime("not a date") == "not a date"
    assert datetime_text(None, "2020-01-01T00:00:00Z", None) == "2020-01-01 00:00 UTC – …"
    assert datetime_text(None, None, None) is None


@pytest.mark.parametrize("value", [
    "2021-07-01T10:20:30Z", "2021-07-01T10:20:00Z", "2021-07-01T10:20:00.000Z",
    "2021-07-01T10:20:00.5Z", "2021-07-01T10:20:30.123456Z", "2021-07-01T10:20:30.1234567Z",
    "2021-13-01T10:20:30Z", "2021-02-30T10:20:30Z", "2021-07-01T24:00:00Z", "0999-07-01T10:20:30Z",
    "1000-01-01T00:00:00Z", " 2021-07-01T10:20:30Z\n", "2021-07-01T10:20:30Z\n",
    "2021-07-01T10:20:30+00:00", "2021-07-01T10:20:30z",
])
def test_usual_utc_stamps_are_formatted_as_the_general_way_does(
        value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, w3c = format_datetime(value), sitemap.w3c_datetime(value)
    monkeypatch.setattr(fields, "UTC_STAMP", re.compile(r"(?!)"))  # never matches
    monkeypatch.setattr(sitemap, "UTC_STAMP", re.compile(r"(?!)"))
    assert format_datetime(value) == fast
    assert sitemap.w3c_datetime(value) == w3c


@pytest.mark.parametrize(("size", "text"), [
    (0, "0 B"), (1, "1 B"), (999, "999 B"), (1000, "1.0 kB"), (999_949, "999.9 kB"),
    (999_950, "1000.0 kB"), (1_500_000, "1.5 MB"), (10**15, "1.0 PB"), (10**18, "1000.0 PB"),
    (10**30, "1000000000000000.0 PB"), (0.0, "0 B"), (0.4, "0 B"), (999.5, "1000 B"),
    (1e3, "1.0 kB"), (5.55e9, "5.5 GB"), (1e300, f"{1e300 / 1000**5:.1f} PB"),
    (float("inf"), "inf PB"), (float("nan"), "nan PB"), (-1, "-1"), (-0.5, "-0.5"),
    (True, "True"), (False, "False"), ("12", "12"), (None, "None"), ([1], "[1]"),
])
@pytest.mark.parametrize("language", ["en", "de"])
def test_sizes_of_json_numbers_and_of_anything_else(
        size: object, text: str, language: str) -> None:
    fields.i18n.activate(language)
    try:
        assert fields.format_size(size) == (text.replace(".", ",") if language == "de" and
                                            text[-2:] in ("kB", "MB", "GB", "PB") else text)
    finally:
        fields.i18n.activate("en")


def test_values_are_never_python_reprs() -> None:
    html = value_html("x", {"a": [1, 2], "b": {"c": None}, "d": True})
    assert "{" not in html and "[" not in html and "None" not in html and "True" not in html
    assert value_html("x", [1.123456789, 2]) == "1.12346, 2"
    assert value_html("eo:cloud_cover", 12) == "12 %"
    assert value_html("flag", False) == "no"
    assert value_html("view:sun_elevation", 57.9) == "57.9°"
    assert value_html("file:size", 1_500_000) == "1.5 MB"
    assert "<script>" not in value_html("x", "<script>alert(1)</script>")


def test_numbers_and_bbox() -> None:
    assert format_number(3.0) == "3" and format_number(0.000012345678) == "1.23457e-05"
    assert "antimeridian" in (bbox_text((179.5, -17.0, -179.5, -16.0)) or "")


def test_extension_badges_name_the_extension() -> None:
    from sitegen.fields import property_table

    html = property_table({"eo:cloud_cover": 3, "proj:code": "EPSG:4326"}, frozenset())
    assert '<span class="ext" title="Electro-Optical">eo</span>' in html
    assert '<span class="ext" title="Projection">proj</span>' in html
