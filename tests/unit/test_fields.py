from __future__ import annotations

import re

import pytest

from sitegen import fields
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
    fast = format_datetime(value)
    monkeypatch.setattr(fields, "_UTC_STAMP", re.compile(r"(?!)"))  # never matches
    assert format_datetime(value) == fast


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
