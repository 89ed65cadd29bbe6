"""schema.org JSON-LD for pages (DESIGN section 6), baked into the HTML.

Pure functions from a document and its page's place in the site to a dict. Collections
and Items are ``Dataset``; the root and sub-catalogs ``DataCatalog``; assets
``DataDownload``. Ids are stable (``<page url>#dataset``, ``<root url>#catalog``) so the
pages of a site join into one graph. Without a base URL there are no absolute URLs,
so url fields are left out rather than written wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sitegen import i18n
from sitegen.catalog import extent_boxes, extent_intervals, valid_bbox
from sitegen.fields import as_dict, as_list
from sitegen.formats import doi_url, spdx_url
from sitegen.i18n import gettext as _
from sitegen.maps import script_json
from sitegen.markdown import plain_text

MIN_DESCRIPTION = 50
MAX_DESCRIPTION = 5000


@dataclass(frozen=True)
class PageFacts:
    """Where a page sits in the site, in absolute URLs (None without a base URL)."""

    kind: str
    url: str | None
    root_url: str | None
    parent: dict[str, str] | None
    json_url: str | None
    image: str | None
    item_count: int = 0
    downloads: tuple[dict[str, Any], ...] = ()
    children: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteFacts:
    """Site-wide structured data options (from the config)."""

    name: str
    free: bool | None = None
    publisher: dict[str, str] | None = None
    funder: dict[str, str] | None = None


def _organisations(providers: list[Any], role: str) -> list[dict[str, Any]]:
    out = []
    for p in providers:
        if isinstance(p, dict) and isinstance(p.get("name"), str) and role in as_list(
                p.get("roles")):
            org: dict[str, Any] = {"@type": "Organization", "name": p["name"]}
            if isinstance(p.get("url"), str) and p["url"].startswith(("http://", "https://")):
                org["url"] = p["url"]
            out.append(org)
    return out


def description(text: object, title: str, kind: str, facts: PageFacts,
                box: tuple[float, float, float, float] | None, period: str | None) -> str:
    """A description of 50 to 5,000 characters, as Google requires for a Dataset."""
    plain = plain_text(text, MAX_DESCRIPTION) if isinstance(text, str) else ""
    if len(plain) < MIN_DESCRIPTION:
        extra = [(_("%(title)s is a STAC item") if kind == "item" else
                  _("%(title)s is a STAC collection") if kind == "collection" else
                  _("%(title)s is a STAC catalog")) % {"title": title}]
        if facts.item_count:
            extra.append(i18n.ngettext("with %(count)s item", "with %(count)s items",
                                       facts.item_count)
                         % {"count": i18n.number(facts.item_count)})
        if box is not None:
            extra.append(_("covering longitude %(west)s to %(east)s and latitude %(south)s "
                           "to %(north)s") % {"west": f"{box[0]:g}", "east": f"{box[2]:g}",
                                               "south": f"{box[1]:g}", "north": f"{box[3]:g}"})
        if period and "/" in period:
            start, end = period.split("/", 1)
            extra.append(_("for the period %(start)s to %(end)s")
                         % {"start": start, "end": end})
        elif period:
            extra.append(_("for the period %(date)s") % {"date": period})
        generated = " ".join(extra) + "."
        plain = f"{plain} {generated}".strip() if plain else generated
    if len(plain) > MAX_DESCRIPTION:
        plain = plain[:MAX_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"
    return plain


def geo_box(box: tuple[float, float, float, float]) -> str:
    """schema.org GeoShape box: ``"south west north east"`` (antimeridian keeps W > E)."""
    west, south, east, north = box
    return " ".join(_number(v) for v in (south, west, north, east))


def _number(value: float) -> str:
    """The shortest text that reads back as exactly ``value``."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _interval(start: object, end: object) -> str | None:
    left = start if isinstance(start, str) and start else None
    right = end if isinstance(end, str) and end else None
    if left is None and right is None:
        return None
    return f"{left or '..'}/{right or '..'}"


def _values(*candidates: object) -> list[str]:
    out: list[str] = []
    for value in candidates:
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and v and v not in out:
                out.append(v)
    return out


def _bands(doc: dict[str, Any]) -> list[dict[str, Any]]:
    props = as_dict(doc.get("properties"))
    summaries = as_dict(doc.get("summaries"))
    found: list[Any] = []
    for source in (props, summaries, doc):
        for key in ("bands", "eo:bands", "raster:bands"):
            found += as_list(source.get(key))
    for asset in as_dict(doc.get("item_assets")).values():
        for key in ("bands", "eo:bands"):
            found += as_list(as_dict(asset).get(key))
    out: list[dict[str, Any]] = []
    names: set[str] = set()
    for band in found:
        band = as_dict(band)
        name = band.get("name") or band.get("eo:common_name") or band.get("common_name")
        if not isinstance(name, str) or name in names:
            continue
        names.add(name)
        value: dict[str, Any] = {"@type": "PropertyValue", "name": name}
        desc = band.get("description") or band.get("eo:common_name") or band.get("common_name")
        if isinstance(desc, str) and desc != name:
            value["description"] = desc
        unit = band.get("unit")
        if isinstance(unit, str):
            value["unitText"] = unit
        out.append(value)
    return out[:200]


def dataset(doc: dict[str, Any], facts: PageFacts, site: SiteFacts) -> dict[str, Any]:
    """A Collection or Item as a schema.org Dataset."""
    item = facts.kind == "item"
    props = as_dict(doc.get("properties")) if item else doc
    summaries = as_dict(doc.get("summaries"))
    title = props.get("title") if isinstance(props.get("title"), str) else None
    name = title or str(doc.get("id") or _("Untitled dataset"))
    if item:
        box = valid_bbox(doc.get("bbox"))
        period = _interval(props.get("start_datetime"), props.get("end_datetime")) or (
            props.get("datetime") if isinstance(props.get("datetime"), str) else None)
    else:
        boxes = extent_boxes(doc)
        box = boxes[0] if boxes else None
        intervals = extent_intervals(doc)
        period = _interval(*intervals[0]) if intervals else None
    out: dict[str, Any] = {"@context": "https://schema.org/", "@type": "Dataset"}
    if facts.url:
        out["@id"] = facts.url + "#dataset"
        out["url"] = facts.url
    out["name"] = name
    out["description"] = description(props.get("description"), name, facts.kind, facts, box,
                                     period)
    ident: list[str] = [str(doc.get("id"))] if doc.get("id") else []
    doi = doi_url(props.get("sci:doi"))
    if doi:
        ident.append(doi)
        out["sameAs"] = doi
    if ident:
        out["identifier"] = ident if len(ident) > 1 else ident[0]
    keywords = _values(props.get("keywords"), props.get("platform"), summaries.get("platform"),
                       props.get("instruments"), summaries.get("instruments"),
                       props.get("constellation"), summaries.get("constellation"))
    if keywords:
        out["keywords"] = keywords
    license_url = _license(doc, props)
    if license_url:
        out["license"] = license_url
    providers = as_list(props.get("providers"))
    creators = _organisations(providers, "producer") or _organisations(providers, "licensor")
    if creators:
        out["creator"] = creators
    hosts = _organisations(providers, "host")
    if hosts:
        out["provider"] = hosts
    publisher = [dict(site.publisher, **{"@type": "Organization"})] if site.publisher else hosts
    if publisher:
        out["publisher"] = publisher
    processors = _organisations(providers, "processor")
    if processors:
        out["contributor"] = processors
    licensors = _organisations(providers, "licensor")
    if licensors:
        out["copyrightHolder"] = licensors
    if site.funder:
        out["funder"] = dict(site.funder, **{"@type": "Organization"})
    citations = _citations(props)
    if citations:
        out["citation"] = citations
    if facts.root_url:
        out["includedInDataCatalog"] = {"@type": "DataCatalog", "@id": facts.root_url + "#catalog"}
    if facts.parent:
        out["isPartOf"] = facts.parent
    if box is not None:
        out["spatialCoverage"] = {"@type": "Place", "geo": {"@type": "GeoShape",
                                                            "box": geo_box(box)}}
    if period:
        out["temporalCoverage"] = period
    bands = _bands(doc)
    if bands:
        out["variableMeasured"] = bands
    technique = _values(props.get("instruments"), summaries.get("instruments"),
                        props.get("platform"), summaries.get("platform"))
    if technique:
        out["measurementTechnique"] = technique
    for key, field in (("dateCreated", "created"), ("dateModified", "updated")):
        if isinstance(props.get(field), str):
            out[key] = props[field]
    if facts.image:
        out["image"] = facts.image
    if site.free is not None:
        out["isAccessibleForFree"] = site.free
    downloads = list(facts.downloads) + _asset_downloads(doc)
    if facts.json_url:
        downloads.append({"@type": "DataDownload", "name": "STAC metadata (JSON)",
                          "contentUrl": facts.json_url, "encodingFormat": "application/json"})
    if downloads:
        out["distribution"] = downloads
    return out


def _license(doc: dict[str, Any], props: dict[str, Any]) -> str | None:
    spdx = spdx_url(props.get("license") or doc.get("license"))
    if spdx is not None:
        return spdx
    for link in as_list(doc.get("links")):
        link = as_dict(link)
        href = link.get("href")
        if link.get("rel") == "license" and isinstance(href, str) and href.startswith(
                ("http://", "https://")):
            return href
    return None


def _citations(props: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    if isinstance(props.get("sci:citation"), str):
        out.append(props["sci:citation"])
    for pub in as_list(props.get("sci:publications")):
        pub = as_dict(pub)
        work: dict[str, Any] = {"@type": "CreativeWork"}
        if isinstance(pub.get("citation"), str):
            work["name"] = pub["citation"]
        doi = doi_url(pub.get("doi"))
        if doi:
            work["sameAs"] = doi
        if len(work) > 1:
            out.append(work)
    return out


def _asset_downloads(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key, asset in as_dict(doc.get("assets")).items():
        asset = as_dict(asset)
        href = asset.get("href")
        if not isinstance(href, str) or not href.startswith(("http://", "https://")):
            continue
        download: dict[str, Any] = {"@type": "DataDownload", "contentUrl": href}
        title = asset.get("title")
        download["name"] = title if isinstance(title, str) else str(key)
        if isinstance(asset.get("type"), str):
            download["encodingFormat"] = asset["type"]
        size = asset.get("file:size")
        if isinstance(size, int) and not isinstance(size, bool):
            download["contentSize"] = f"{size} B"
        out.append(download)
    return out


def data_catalog(doc: dict[str, Any], facts: PageFacts, site: SiteFacts) -> dict[str, Any]:
    """A Catalog as a schema.org DataCatalog."""
    title = doc.get("title") if isinstance(doc.get("title"), str) else None
    name = title or str(doc.get("id") or site.name)
    out: dict[str, Any] = {"@context": "https://schema.org/", "@type": "DataCatalog"}
    if facts.url:
        out["@id"] = (facts.root_url + "#catalog") if facts.parent is None and facts.root_url \
            else facts.url + "#catalog"
        out["url"] = facts.url
    out["name"] = name
    out["description"] = description(doc.get("description"), name, "catalog", facts, None, None)
    if doc.get("id"):
        out["identifier"] = str(doc["id"])
    keywords = _values(doc.get("keywords"))
    if keywords:
        out["keywords"] = keywords
    if site.publisher:
        out["publisher"] = dict(site.publisher, **{"@type": "Organization"})
    if facts.parent:
        out["isPartOf"] = facts.parent
    if facts.children:
        out["dataset"] = [{"@id": c} for c in facts.children[:1000]]
    if facts.image:
        out["image"] = facts.image
    return out


def web_page(name: str, facts: PageFacts) -> dict[str, Any]:
    """A plain WebPage, for item pages whose Dataset markup is switched off."""
    out: dict[str, Any] = {"@context": "https://schema.org/", "@type": "WebPage", "name": name}
    if facts.url:
        out["url"] = facts.url
    if facts.parent:
        out["isPartOf"] = facts.parent
    return out


def render(data: dict[str, Any]) -> str:
    """JSON for ``<script type="application/ld+json">``: ``<``, ``>``, ``&`` escaped, so a
    description holding ``</script>`` cannot end the element."""
    return script_json(data)
