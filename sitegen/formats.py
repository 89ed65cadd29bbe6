"""Readable names for file formats, decoded checksums and durations.

Pure functions over strings; no catalog I/O.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from sitegen.i18n import N_, decimal, gettext

#: Media types (lower case, without parameters) -> readable names. Parameters that
#: change the name (GeoTIFF profiles) are handled in :func:`format_name`.
MEDIA_NAMES = {
    "image/tiff": N_("TIFF image"),
    "image/png": N_("PNG image"),
    "image/jpeg": N_("JPEG image"),
    "image/jpg": N_("JPEG image"),
    "image/jp2": "JPEG 2000",
    "image/webp": N_("WebP image"),
    "image/gif": N_("GIF image"),
    "image/svg+xml": N_("SVG image"),
    "application/json": "JSON",
    "application/geo+json": "GeoJSON",
    "application/geo+json-seq": N_("GeoJSON text sequence"),
    "application/schema+json": "JSON Schema",
    "application/xml": "XML",
    "text/xml": "XML",
    "application/gml+xml": "GML",
    "application/vnd.google-earth.kml+xml": "KML",
    "application/vnd.google-earth.kmz": "KMZ",
    "text/html": N_("Web page"),
    "text/plain": N_("Text"),
    "text/csv": N_("CSV table"),
    "application/pdf": N_("PDF document"),
    "application/zip": N_("ZIP archive"),
    "application/gzip": N_("Gzip archive"),
    "application/x-tar": N_("TAR archive"),
    "application/x-netcdf": "NetCDF",
    "application/netcdf": "NetCDF",
    "application/x-hdf": "HDF",
    "application/x-hdf5": "HDF5",
    "application/x-zarr": "Zarr",
    "application/vnd+zarr": "Zarr",
    "application/vnd.zarr": "Zarr",
    "application/vnd.apache.parquet": "GeoParquet / Parquet",
    "application/x-parquet": "GeoParquet / Parquet",
    "application/geopackage+sqlite3": "GeoPackage",
    "application/vnd.sqlite3": N_("SQLite database"),
    "application/flatgeobuf": "FlatGeobuf",
    "application/vnd.flatgeobuf": "FlatGeobuf",
    "application/vnd.pmtiles": "PMTiles",
    "application/vnd.laszip": N_("LAZ point cloud"),
    "application/vnd.las": N_("LAS point cloud"),
    "application/vnd.laszip+copc": N_("COPC point cloud"),
    "application/x-grib": "GRIB",
    "application/x-shapefile": "Shapefile",
    "application/x-ogc-shapefile": "Shapefile",
    "application/vnd.shp": "Shapefile",
    "application/octet-stream": N_("Binary file"),
    "application/vnd.oai.openapi+json": N_("OpenAPI description"),
    "application/x-ndjson": N_("Newline-delimited JSON"),
}
_SUFFIX_NAMES = {
    ".tif": N_("TIFF image"), ".tiff": N_("TIFF image"), ".png": N_("PNG image"),
    ".jpg": N_("JPEG image"), ".jpeg": N_("JPEG image"), ".jp2": "JPEG 2000",
    ".webp": N_("WebP image"), ".json": "JSON", ".geojson": "GeoJSON", ".xml": "XML",
    ".csv": N_("CSV table"), ".pdf": N_("PDF document"), ".zip": N_("ZIP archive"),
    ".nc": "NetCDF", ".h5": "HDF5", ".hdf": "HDF", ".parquet": "Parquet",
    ".gpkg": "GeoPackage", ".fgb": "FlatGeobuf", ".laz": N_("LAZ point cloud"),
    ".las": N_("LAS point cloud"), ".html": N_("Web page"), ".txt": N_("Text"),
    ".zarr": "Zarr", ".pmtiles": "PMTiles", ".grib2": "GRIB", ".grb2": "GRIB",
}


def format_name(media_type: str | None, href: str | None = None) -> str | None:
    """A readable format name: ``Cloud-Optimized GeoTIFF`` rather than the media type."""
    if media_type:
        parts = [p.strip().lower() for p in media_type.split(";")]
        base, params = parts[0], parts[1:]
        if base == "image/tiff" or base == "image/geotiff":
            if any(p.replace(" ", "") == "profile=cloud-optimized" for p in params):
                return "Cloud-Optimized GeoTIFF"
            if any(p.replace(" ", "") == "application=geotiff" for p in params):
                return "GeoTIFF"
        if base == "application/vnd.apache.parquet" and any("geo" in p for p in params):
            return "GeoParquet"
        name = MEDIA_NAMES.get(base)
        if name:
            return gettext(name)
    if href:
        path = href.split("?", 1)[0].split("#", 1)[0].lower()
        for suffix, name in _SUFFIX_NAMES.items():
            if path.endswith(suffix):
                return gettext(name)
    return None


#: Multihash function codes (https://github.com/multiformats/multicodec) -> names.
MULTIHASH = {
    0x11: "sha1", 0x12: "sha2-256", 0x13: "sha2-512", 0x14: "sha3-512", 0x15: "sha3-384",
    0x16: "sha3-256", 0x17: "sha3-224", 0x20: "sha2-384", 0x1E: "blake3", 0xD5: "md5",
    0x1012: "sha2-256-trunc254-padded", 0x1013: "sha2-224",
}
#: Multihash names -> IANA hash names (for Metalink) and hashlib names.
IANA_HASH = {"sha1": "sha-1", "sha2-256": "sha-256", "sha2-384": "sha-384",
             "sha2-512": "sha-512", "md5": "md5", "sha2-224": "sha-224"}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            break
    raise ValueError("bad varint")


def decode_multihash(text: str) -> tuple[str, str] | None:
    """``"1220ab..."`` -> ``("sha2-256", "ab...")``; None when it is not a valid multihash."""
    if not isinstance(text, str) or len(text) % 2 or not re.fullmatch(r"[0-9a-fA-F]+", text):
        return None
    data = bytes.fromhex(text)
    try:
        code, pos = _varint(data, 0)
        length, pos = _varint(data, pos)
    except ValueError:
        return None
    digest = data[pos:]
    if length != len(digest) or not digest:
        return None
    return _hash_name(code), digest.hex()


def _hash_name(code: int) -> str:
    """Multicodec name of a hash function code (BLAKE2 sizes are a numbered range)."""
    if code in MULTIHASH:
        return MULTIHASH[code]
    if 0xB201 <= code <= 0xB240:
        return f"blake2b-{(code - 0xB200) * 8}"
    if 0xB241 <= code <= 0xB260:
        return f"blake2s-{(code - 0xB240) * 8}"
    return f"hash 0x{code:x}"


_DURATION = re.compile(
    r"^P(?:(?P<years>\d+(?:\.\d+)?)Y)?(?:(?P<months>\d+(?:\.\d+)?)M)?(?:(?P<weeks>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$")


_DURATION_UNITS = {
    "years": (N_("%(n)s year"), N_("%(n)s years")),
    "months": (N_("%(n)s month"), N_("%(n)s months")),
    "weeks": (N_("%(n)s week"), N_("%(n)s weeks")),
    "days": (N_("%(n)s day"), N_("%(n)s days")),
    "hours": (N_("%(n)s hour"), N_("%(n)s hours")),
    "minutes": (N_("%(n)s minute"), N_("%(n)s minutes")),
    "seconds": (N_("%(n)s second"), N_("%(n)s seconds")),
}


def format_duration(text: str) -> str:
    """``P1DT6H`` -> ``1 day 6 hours``; other text unchanged."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match or text.strip() in ("P", "PT"):
        return text
    parts = []
    for unit, value in match.groupdict().items():
        if value is None:
            continue
        number = float(value)
        shown = str(int(number)) if number == int(number) else decimal(value)
        singular, plural = _DURATION_UNITS[unit]
        parts.append(gettext(singular if number == 1 else plural) % {"n": shown})
    zero = _DURATION_UNITS["seconds"][1]
    return " ".join(parts) if parts else gettext(zero) % {"n": 0}


#: Media types and file name endings browsers display as images.
IMAGE_TYPES = ("image/png", "image/jpeg", "image/jpg", "image/webp", "image/gif")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")


def is_image(media: str | None, href: str) -> bool:
    """True when a browser can show the file inline: by media type, else by file name."""
    if media:
        return media.split(";")[0].strip().lower() in IMAGE_TYPES
    return href.lower().split("?")[0].endswith(IMAGE_SUFFIXES)


def doi_id(value: object) -> str | None:
    """The bare DOI of ``10.x/y``, ``doi:10.x/y`` or a doi.org URL, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", value.strip(), flags=re.I)


def doi_url(value: object) -> str | None:
    """``https://doi.org/...`` for a DOI in any of its usual spellings, or None."""
    doi = doi_id(value)
    return None if doi is None else "https://doi.org/" + quote(doi, safe="/:;()._-")


#: License values that are not SPDX ids; their text is in the ``license`` link.
NON_SPDX = frozenset({"other", "proprietary", "various"})
_SPDX = re.compile(r"^[A-Za-z0-9.+-]+$")


def spdx_url(value: object) -> str | None:
    """The spdx.org page of an SPDX license id, or None for other values."""
    if isinstance(value, str) and value.lower() not in NON_SPDX and _SPDX.match(value):
        return f"https://spdx.org/licenses/{value}.html"
    return None
