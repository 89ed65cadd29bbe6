from __future__ import annotations

import hashlib

import pytest

from sitegen.formats import decode_multihash, format_duration, format_name


def test_multihash_decoding() -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    assert decode_multihash("1220" + digest) == ("sha2-256", digest)
    assert decode_multihash("90e40210" + "ab" * 16) == ("blake2b-128", "ab" * 16)
    assert decode_multihash("d50110" + "cd" * 16) == ("md5", "cd" * 16)
    for bad in ("12", "1220abcd", "zz", "", "1220" + digest + "00"):
        assert decode_multihash(bad) is None


@pytest.mark.parametrize(("media", "href", "name"), [
    ("image/tiff; application=geotiff; profile=cloud-optimized", None,
     "Cloud-Optimized GeoTIFF"),
    ("image/tiff; application=geotiff", None, "GeoTIFF"),
    ("application/geo+json", None, "GeoJSON"),
    ("application/vnd.apache.parquet", None, "GeoParquet / Parquet"),
    (None, "https://x/y/data.nc?token=1", "NetCDF"),
    ("application/x-unknown", None, None),
])
def test_format_names(media: str | None, href: str | None, name: str | None) -> None:
    assert format_name(media, href) == name


def test_durations() -> None:
    assert format_duration("P1D") == "1 day"
    assert format_duration("PT6H30M") == "6 hours 30 minutes"
    assert format_duration("P2Y3M") == "2 years 3 months"
    assert format_duration("not a duration") == "not a duration"
