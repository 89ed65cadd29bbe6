"""Page rendering for each document type, and the worker side of item pages.

Item pages are rendered by worker processes: each gets small :class:`ItemJob`
records (paths and navigation, no parsed documents), re-reads the item's own JSON,
renders the page, writes it and the JSON copy, and reports back the files it
needs copied and any warnings. So the catalog never sits in memory whole.
"""

from __future__ import annotations

import posixpath
import sys
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import quote

from jinja2 import Environment
from markupsafe import Markup, escape

from sitegen import i18n
from sitegen.bulk import Chunks, Stats, item_entries, item_lists, render_chunks
from sitegen.cards import AssetCards
from sitegen.catalog import extent_boxes, find_thumbnail, migrate, valid_bbox
from sitegen.config import Config
from sitegen.fields import as_dict, as_list, bbox_text, datetime_text, property_table
from sitegen.formats import is_image
from sitegen.jsonld import PageFacts, SiteFacts, data_catalog, dataset, web_page
from sitegen.jsonld import render as render_jsonld
from sitegen.layout import _safe_segment, relative_url
from sitegen.links import DocLinks, HrefPolicy, rewrite_document
from sitegen.maps import (
    BBox,
    bounds_of,
    check_geometry,
    feature,
    footprint_bytes,
    item_geometry,
    node_map_data,
    script_json,
    shifted_bounds,
    union,
)
from sitegen.markdown import plain_text, render_markdown
from sitegen.model import NodePage, Site
from sitegen.picklefast import fast_pickle
from sitegen.render import (
    ITEM_SHOWN,
    ITEM_SKIP,
    NODE_SHOWN,
    SiteInfo,
    citation,
    crumbs_for,
    extent_text,
    item_period,
    keywords,
    license_info,
    make_environment,
    other_links,
    page_context,
    providers,
    render_page,
    safe_link,
    summary_rows,
    thumbnail_url,
)
from sitegen.reporter import Diagnostic
from sitegen.shapes import PageShapes
from sitegen.sources import DocumentError, parse_json, read_local
from sitegen.writer import write_file

Copy = tuple[str, str]


class ItemJob(NamedTuple):
    """Everything a worker needs to render one Item page besides the item file.

    Paths are output paths relative to the site root. A named tuple: one is made per
    item in every build, rebuilds included (to compare its key with the last build's).
    """

    location: str
    read_path: str
    page: str
    json: str
    trail: tuple[tuple[str, str], ...]
    parents: tuple[tuple[str, str], ...]
    parent_json: str | None
    collection: tuple[str, str, str] | None
    related: tuple[tuple[str, str, str | None], ...]
    parent_ref: str | None = None
    structured: bool = True


@fast_pickle
@dataclass(frozen=True, slots=True)
class ItemResult:
    """What a worker reports for one item."""

    location: str
    written: int
    copies: tuple[Copy, ...]
    diagnostics: tuple[Diagnostic, ...]
    ok: bool
    chunks: Chunks | None = None
    footprint: bytes = b""
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkerState:
    """Per-build values sent with every batch (small; a worker sets up once per token).

    Sending it with each batch, rather than through an executor initializer, lets
    any ``concurrent.futures.Executor`` (Dask's, Ray's) run the batches.
    """

    token: str
    theme_dirs: tuple[str, ...]
    info: SiteInfo
    policy: HrefPolicy
    staging: str
    roles: tuple[str, ...] = ("data",)
    offline: bool = False
    site_facts: SiteFacts | None = None
    compiled: str | None = None  # the build cache's folder of compiled templates


_envs: dict[str, Environment] = {}


def warm_up() -> None:
    """Nothing: sent to a new worker so that it imports this module (and what it
    needs) before its first batch arrives."""


def render_item_batch(state: WorkerState, jobs: list[ItemJob]) -> list[ItemResult]:
    """Render and write a batch of item pages (runs in a worker process)."""
    env = _envs.get(state.token)
    if env is None:
        _envs.clear()
        env = _envs[state.token] = make_environment(state.theme_dirs, state.info.language,
                                                   state.compiled)
    shapes = PageShapes.of(env, "item.html")
    return [_render_item(job, state, shapes) for job in jobs]


def _render_item(job: ItemJob, state: WorkerState, shapes: PageShapes) -> ItemResult:
    diags: list[Diagnostic] = []
    try:
        # read within the size limit when crawled; not limited again here
        raw, _lenient = parse_json(read_local(job.read_path, sys.maxsize), job.location)
    except (OSError, DocumentError) as exc:
        diags.append(Diagnostic(job.location, f"item could not be re-read: {exc}"))
        return ItemResult(job.location, 0, (), tuple(diags), False)
    if not isinstance(raw, dict):
        diags.append(Diagnostic(job.location, "item is no longer a JSON object"))
        return ItemResult(job.location, 0, (), tuple(diags), False)
    copies: list[Copy] = []
    drawable, problem = check_geometry(raw.get("geometry"))
    if problem:
        diags.append(Diagnostic(job.location, problem + ("" if drawable else "; no map drawn")))
    entries, others = item_entries(raw, job.location, job.page, job.json, state.policy,
                                   state.roles, state.info.base_url)
    chunks = render_chunks(entries, others)
    stem = job.page[:-5]
    files: list[str] = []
    written = 0
    if chunks.stats.files or chunks.stats.others:
        for rel, data in item_lists(stem, job.location.rsplit("/", 1)[-1], chunks,
                                    state.info.base_url):
            written += write_file(state.staging, rel, data)
            files.append(rel)
    try:
        context = item_context(raw, job, state, copies, problem,
                               AssetCards.of(shapes.template.environment))
        context["bulk"] = bulk_context(stem, job.page, raw.get("id"), chunks.stats,
                                       state.roles, "item")
        html = shapes.render(context)
    except Exception as exc:  # noqa: BLE001 - one odd item must not stop the build
        diags.append(Diagnostic(job.location, f"page could not be rendered "
                                f"({type(exc).__name__}: {exc}); a minimal page was written"))
        copies = []
        html = _fallback_page(job)
    json_bytes, json_copies = rewrite_document(
        raw, job.location,
        DocLinks(json_path=job.json, page_path=job.page, root_json=state.info.root_json,
                 parent_json=job.parent_json,
                 collection_json=job.collection[2] if job.collection else None,
                 self_url=_self_url(state.info, job.json)),
        state.policy,
    )
    written += write_file(state.staging, job.page, html)
    written += write_file(state.staging, job.json, json_bytes)
    copies.extend(json_copies)
    files += (job.page, job.json)
    return ItemResult(job.location, written, tuple(dict.fromkeys(copies)), tuple(diags), True,
                      chunks, footprint_bytes(raw.get("geometry"), valid_bbox(raw.get("bbox"))),
                      tuple(files))


def bulk_context(stem: str, page: str, doc_id: object, stats: Stats, roles: tuple[str, ...],
                 scope: str) -> dict[str, Any] | None:
    """What a page shows about its bulk download files (None when there is nothing)."""
    if not stats.files and not stats.others:
        return None
    base = posixpath.basename(stem)
    name = _safe_segment(doc_id if isinstance(doc_id, str) and doc_id else base)
    return {
        "scope": scope,
        "files": stats.files,
        "size": stats.size_text(),
        "sized": stats.sized,
        "others": stats.others,
        "roles": ", ".join(roles),
        "script": relative_url(stem + ".download.sh", page),
        "script_name": f"{name}-download.sh",
        "urls": relative_url(stem + ".urls.txt", page),
        "urls_name": f"{name}-urls.txt",
        "meta4": relative_url(stem + ".meta4", page),
        "meta4_name": f"{name}.meta4",
        "other_urls": relative_url(stem + ".other-urls.txt", page) if stats.others else None,
    }


def _fallback_page(job: ItemJob) -> bytes:
    """A plain page for an item whose page failed: keeps every link to it working."""
    name = escape(job.location.rsplit("/", 1)[-1])
    json_url = escape(relative_url(job.json, job.page))
    back = "".join(f'<li><a href="{escape(relative_url(p, job.page))}">{escape(t)}</a></li>'
                   for t, p in job.parents)
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{name}</title></head>'
            f"<body><h1>{name}</h1><p>This item's page could not be rendered. Its metadata "
            f'is in <a href="{json_url}">the STAC JSON</a>.</p><ul>{back}</ul></body></html>'
            ).encode("utf-8", "replace")


def _self_url(info: SiteInfo, json_path: str) -> str | None:
    return info.base_url + json_path if info.base_url else None


def item_context(raw: dict[str, Any], job: ItemJob, state: WorkerState,
                 copies: list[Copy], geometry_problem: str | None,
                 cards: AssetCards) -> dict[str, Any]:
    """Template context of an Item page."""
    doc = migrate(raw)
    page = job.page
    policy = state.policy
    props = as_dict(doc.get("properties"))
    item_id = doc.get("id") if isinstance(doc.get("id"), str) and doc.get("id") else None
    title_value = props.get("title")
    title = title_value if isinstance(title_value, str) and title_value.strip() else (
        item_id or job.location.rsplit("/", 1)[-1])
    description = props.get("description") if isinstance(props.get("description"), str) else ""
    bbox = valid_bbox(doc.get("bbox"))
    geometry = doc.get("geometry")
    when = datetime_text(_s(props.get("datetime")), _s(props.get("start_datetime")),
                         _s(props.get("end_datetime")))
    thumbnail = find_thumbnail(doc, job.location)
    context = page_context(
        state.info, page, title,
        plain_text(description) if description else
        (i18n.gettext("STAC Item %(title)s, %(date)s – %(site)s") if when else
         i18n.gettext("STAC Item %(title)s – %(site)s"))
        % {"title": title, "date": when, "site": state.info.title},
        job.json, crumbs_for(list(job.trail), title, page), "item",
    )
    context["item"] = {
        "id": item_id or i18n.gettext("(no id)"),
        "title": title,
        "description": Markup(render_markdown(description)) if description else None,
        "datetime": when,
        "bbox": bbox_text(bbox),
        "geometry": geometry.get("type") if isinstance(geometry, dict) else None,
        "geometry_problem": i18n.translate(geometry_problem),
        "collection": (job.collection[0], relative_url(job.collection[1], page))
        if job.collection else None,
        "parents": [(t, relative_url(p, page)) for t, p in job.parents],
        "thumbnail": thumbnail_url(thumbnail, page, policy, copies),
        "properties": Markup(property_table(props, ITEM_SKIP)),
        "details": Markup(property_table(doc, ITEM_SHOWN)),
        "citation": citation(props),
        "license": license_info(doc, job.location, page, policy, copies),
        "providers": providers(doc),
        "related": [(rel, t, relative_url(p, page) if p else None) for rel, t, p in job.related],
        "links": other_links(doc, job.location, page, policy, copies),
    }
    context["item"]["assets"] = cards.rows(doc.get("assets"), job.location, page, policy,
                                           copies, doc, context)
    context["map"] = map_context(item_map(doc, job.location, bbox, page, policy, copies),
                                 context["static"], state.offline)
    base = state.info.base_url
    image = absolute_image(thumbnail, page, policy, base)
    context["page"]["image"] = image
    facts = PageFacts(kind="item", url=absolute(base, page),
                      root_url=absolute(base, state.info.root_page),
                      parent={"@id": base + job.parent_ref} if base and job.parent_ref else None,
                      json_url=absolute(base, job.json), image=image)
    site_facts = state.site_facts or SiteFacts(state.info.title)
    context["jsonld"] = Markup(render_jsonld(
        dataset(doc, facts, site_facts) if job.structured else web_page(title, facts)))
    return context


def absolute(base: str | None, path: str) -> str | None:
    """The published URL of an output path, when the base URL is known."""
    return base + quote(path) if base else None


def absolute_image(location: str | None, page: str, policy: HrefPolicy,
                   base: str | None) -> str | None:
    """An absolute URL for a thumbnail (og:image, JSON-LD image), or None."""
    if location is None:
        return None
    target = policy.asset(location, location, page)
    if target.url is not None and target.url.startswith(("http://", "https://")):
        return target.url
    if target.copy is not None and base:
        return base + quote(target.copy[1])
    return None


def item_map(doc: dict[str, Any], location: str, bbox: BBox | None, page: str,
             policy: HrefPolicy, copies: list[Copy]) -> dict[str, Any] | None:
    """Map data of an Item: its footprint, and its preview image laid over its bbox."""
    geometry, note = item_geometry(doc.get("geometry"), bbox)
    if geometry is None:
        return None
    data: dict[str, Any] = {"kind": "item", "footprint": feature(geometry),
                            "bounds": bounds_of([geometry])}
    if note:
        data["note"] = note
    overlay = _overlay_url(doc, location, page, policy, copies) if bbox is not None else None
    if overlay is not None and bbox is not None:
        data["overlay"] = {"url": overlay, "bounds": shifted_bounds(bbox)}
    return data


def _overlay_url(doc: dict[str, Any], location: str, page: str, policy: HrefPolicy,
                 copies: list[Copy]) -> str | None:
    """A browser-displayable overview (preferred) or thumbnail the page may load."""
    assets = as_dict(doc.get("assets"))
    for role in ("overview", "thumbnail"):
        for key, asset in assets.items():
            if not isinstance(asset, dict):
                continue
            roles = as_list(asset.get("roles"))
            if role not in roles and key != role:
                continue
            raw_type = asset.get("type")
            target = policy.asset(asset.get("href"), location, page)
            displayable = is_image(raw_type if isinstance(raw_type, str) else None, target.text)
            if displayable and target.url is not None and policy.may_inline(target.url):
                if target.copy is not None:
                    copies.append(target.copy)
                return target.url
    return None


def map_context(data: dict[str, Any] | None, static: str, offline: bool) -> dict[str, Any] | None:
    """What the map partial needs: the kind and the page's data as safe JSON."""
    if data is None:
        return None
    data["land"] = static + "vendor/natural-earth/land-110m.js"
    data["offline"] = offline
    note = data.pop("note", None)
    return {"kind": data["kind"], "json": Markup(script_json(data)),
            "note": i18n.translate(note)}


def _s(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def page_entries(node: NodePage, index: int, per_page: int,
                 ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The children and items listed on list page ``index`` (from 0) of a node: children
    first, then items, ``per_page`` entries a page."""
    start, end = index * per_page, (index + 1) * per_page
    n_children = len(node.children)
    return (node.children[start:end],
            node.items[max(0, start - n_children):max(0, end - n_children)])


def node_pages(site: Site, node: NodePage, env: Environment, info: SiteInfo,
               policy: HrefPolicy, bulk: Stats | None = None,
               map_data: dict[str, Any] | None = None, offline: bool = False,
               only: Collection[int] | None = None,
               ) -> list[tuple[int, str, bytes, list[Copy]]]:
    """Render the HTML pages of a Catalog or Collection (item list pagination included):
    every one, or the list pages numbered in ``only`` (from 0).

    Returns:
        ``(number, path, html, files to copy for it)`` per page.
    """
    copies: list[Copy] = []
    doc = node.doc
    template = env.get_template(f"{node.kind}.html")
    trail = [(site.nodes[a].title, site.nodes[a].page) for a in site.ancestors(node.location)]
    description = doc.get("description") if isinstance(doc.get("description"), str) else ""
    per_page = site.config.items_per_page
    total = len(node.items)
    image = absolute_image(find_thumbnail(doc, node.location), node.page, policy,
                           info.base_url)
    meta = plain_text(description) or (
        i18n.gettext("STAC Collection %(title)s") if node.kind == "collection" else
        i18n.gettext("STAC Catalog %(title)s")) % {"title": node.title}
    if node.location == site.root and site.config.description:
        meta = plain_text(site.config.description)
    # What only the first list page shows is computed once; every list page lives in
    # the first one's folder, so its relative URLs hold for all of them.
    first_page = node.list_pages[0]
    shown_once = {
        "kind": node.kind,
        "id": node.id,
        "title": node.title,
        "description": Markup(render_markdown(description)) if description else None,
        "license": license_info(doc, node.location, first_page, policy, copies),
        "providers": providers(doc),
        "keywords": keywords(doc),
        "extent": extent_text(doc) if node.kind == "collection" else None,
        "summaries": summary_rows(doc),
        "details": Markup(property_table(doc, NODE_SHOWN)),
        "citation": citation(doc),
        "assets": AssetCards.of(env).rows(
            doc.get("assets"), node.location, first_page, policy, copies, doc,
            page_context(info, first_page, node.title, meta, node.json,
                         crumbs_for(trail, node.title, first_page), node.kind)),
        "links": other_links(doc, node.location, first_page, policy, copies),
        "thumbnail": thumbnail_url(find_thumbnail(doc, node.location), first_page, policy,
                                   copies),
        "external": [(rel, title, safe_link(url), url) for rel, title, url in
                     node.record.external],
    }
    # The same entity on every list page (its URL is the first page's).
    jsonld = Markup(render_jsonld(node_jsonld(site, node, first_page, info, bulk, image)))
    shared = len(copies)  # the files every page links to
    out: list[tuple[int, str, bytes, list[Copy]]] = []
    for index, page in enumerate(node.list_pages):
        if only is not None and index not in only:
            continue
        del copies[shared:]
        context = page_context(info, page, node.title, meta,
                               node.json, crumbs_for(trail, node.title, page), node.kind)
        start = index * per_page
        n_children = len(node.children)
        children, chunk = page_entries(node, index, per_page)
        context["node"] = {
            **shown_once,
            "children": [_child_card(site, site.nodes[c], page, policy, copies)
                         for c in children],
            "child_count": n_children,
            "first_child": start + 1,
            "item_rows": [_item_row(site, loc, page, policy, copies) for loc in chunk],
            "item_count": total,
            "first_item": max(0, start - n_children) + 1,
            "pages": page_links(node.list_pages, index, page),
            "page_number": index + 1,
            "page_count": len(node.list_pages),
            "prev": relative_url(node.list_pages[index - 1], page) if index else None,
            "next": relative_url(node.list_pages[index + 1], page)
            if index + 1 < len(node.list_pages) else None,
        }
        context["bulk"] = bulk_context(
            node.list_pages[0][:-5], page, node.id, bulk, site.config.download_roles,
            node.kind) if bulk is not None and index == 0 else None
        context["map"] = map_context(dict(map_data), context["static"], offline) \
            if map_data is not None and index == 0 else None
        context["page"]["image"] = image
        context["jsonld"] = jsonld
        out.append((index, page, render_page(template, context), list(dict.fromkeys(copies))))
    return out


def page_links(pages: tuple[str, ...], index: int, page: str,
               ) -> list[tuple[int | None, str | None]]:
    """``(number, url)`` of the list pages to link from page ``index``: the first, the
    last and two on each side of the current one; ``(None, None)`` stands for a gap.

    Every list page stays reachable by stepping through neighbours, and a collection of
    100,000 items does not repeat 1,000 links on each of its 1,000 pages.
    """
    if len(pages) <= 1:
        return []
    shown = sorted({0, len(pages) - 1, *range(max(0, index - 2), min(len(pages), index + 3))})
    links: list[tuple[int | None, str | None]] = []
    previous = -1
    for number in shown:
        if number > previous + 1:
            links.append((None, None))
        links.append((number + 1, relative_url(pages[number], page)))
        previous = number
    return links


def _child_card(site: Site, child: NodePage, page: str, policy: HrefPolicy,
                copies: list[Copy]) -> dict[str, Any]:
    description = child.doc.get("description")
    return {
        "title": child.title,
        "kind": child.kind,
        "url": relative_url(child.page, page),
        "description": plain_text(description, 220) if isinstance(description, str) else "",
        "thumbnail": thumbnail_url(find_thumbnail(child.doc, child.location), page, policy,
                                   copies),
        "item_count": len(child.items),
        "child_count": len(child.children),
    }


def _item_row(site: Site, location: str, page: str, policy: HrefPolicy,
              copies: list[Copy]) -> dict[str, Any]:
    item = site.items[location]
    s = item.summary
    return {
        "title": item.title,
        "id": s.id,
        "url": relative_url(item.page, page),
        "datetime": item_period(s.datetime, s.start, s.end),
        "thumbnail": thumbnail_url(s.thumbnail, page, policy, copies),
    }


#: With ``items_structured_data = "auto"``, items of larger collections get no Dataset markup.
STRUCTURED_ITEMS_MAX = 10_000


def ref(site: Site, location: str) -> str:
    """The JSON-LD @id fragment of a document's page: ``#dataset`` or ``#catalog``."""
    node = site.nodes.get(location)
    kind = node.kind if node is not None else "item"
    return site.page_of(location) + ("#catalog" if kind == "catalog" else "#dataset")


def site_facts(config: Config, title: str) -> SiteFacts:
    """Structured-data options of the site."""
    return SiteFacts(name=title, free=config.is_accessible_for_free,
                     publisher=config.publisher, funder=config.funder)


def node_jsonld(site: Site, node: NodePage, page: str, info: SiteInfo, bulk: Stats | None,
                image: str | None) -> dict[str, Any]:
    """JSON-LD of a Catalog (DataCatalog) or Collection (Dataset) page."""
    base = info.base_url
    parents = site.parents.get(node.location, ())
    downloads: list[dict[str, Any]] = []
    if bulk is not None and bulk.files and base:
        stem = node.page[:-5]
        downloads = [
            {"@type": "DataDownload", "name": i18n.gettext("All files: Metalink"),
             "contentUrl": base + quote(stem + ".meta4"),
             "encodingFormat": "application/metalink4+xml"},
            {"@type": "DataDownload", "name": i18n.gettext("All files: URL list"),
             "contentUrl": base + quote(stem + ".urls.txt"), "encodingFormat": "text/uri-list"},
        ]
    facts = PageFacts(
        kind=node.kind, url=absolute(base, page), root_url=absolute(base, info.root_page),
        parent={"@id": base + ref(site, parents[0])} if base and parents else None,
        json_url=absolute(base, node.json), image=image, item_count=len(node.items),
        downloads=tuple(downloads),
        children=tuple(base + ref(site, c) for c in node.children) if base else (),
    )
    facts_site = site_facts(site.config, site.title)
    if node.kind == "catalog":
        return data_catalog(node.doc, facts, facts_site)
    return dataset(node.doc, facts, facts_site)


#: Above this many items, a map does not read item footprints back (boxes or clusters).
FOOTPRINT_ITEMS = 5000


def node_boxes(site: Site) -> dict[str, BBox | None]:
    """The bounding box of every Catalog and Collection: a Collection's spatial extent,
    else the union of what is below it (children and items)."""
    boxes: dict[str, BBox | None] = {}
    for location in site.nodes:
        _node_box(site, boxes, location, frozenset())
    return boxes


def _node_box(site: Site, boxes: dict[str, BBox | None], location: str,
              path: frozenset[str]) -> BBox | None:
    # A function of its own, not a closure calling itself: that closure would be a
    # reference cycle holding the whole model until the collector's next full pass.
    if location in boxes:
        return boxes[location]
    node = site.nodes[location]
    result = union(extent_boxes(node.doc)) if node.kind == "collection" else None
    if result is None:
        parts = [b for b in (site.items[i].summary.bbox for i in node.items) if b]
        parts += [b for b in (_node_box(site, boxes, c, path | {location})
                              for c in node.children if c not in path) if b]
        result = union(parts)
    boxes[location] = result
    return result


def node_map(site: Site, node: NodePage, boxes: dict[str, BBox | None],
             footprint: Callable[[str], bytes]) -> dict[str, Any] | None:
    """Map data of a Catalog or Collection page (relative links from its first page)."""
    page = node.page
    locations = list(site.items_below(node.location)) if node.kind == "collection" \
        else list(node.items)
    read = len(locations) <= FOOTPRINT_ITEMS
    items = [(item.title, item.page, footprint(loc) if read else b"", item.summary.bbox)
             for loc in locations for item in (site.items[loc],)]
    children = [(site.nodes[c].title, relative_url(site.nodes[c].page, page),
                 site.nodes[c].kind, b)
                for c in node.children if (b := boxes.get(c)) is not None]
    extents = extent_boxes(node.doc) if node.kind == "collection" else []
    return node_map_data(node.kind, extents, children, items,
                         lambda target: relative_url(target, page))


def item_jobs(site: Site) -> Iterator[ItemJob]:
    """One job per item, in crawl order (a generator: jobs are made as they are sent)."""
    # What an item's page shows of its place in the tree is the same for every item with
    # the same parents and collection: made once for each.
    places: dict[tuple[tuple[str, ...], str | None], tuple[Any, ...]] = {}
    mode = site.config.items_structured_data
    for location, item in site.items.items():
        s = item.summary
        parents = site.parents.get(location, ())
        collection = site.collection_of(s, s.collection)
        place = places.get((parents, collection))
        if place is None:
            place = places[(parents, collection)] = _place(site, location, parents,
                                                           collection, mode)
        related = tuple(
            (rel, title or site.title_of(target) if target in site.nodes or target in site.items
             else title or target.rsplit("/", 1)[-1],
             site.page_of(target) if target in site.nodes or target in site.items else None)
            for rel, title, target in s.related
        ) if s.related else ()
        trail, parent_pages, parent_json, collection_page, parent_ref, structured = place
        yield ItemJob(location, s.read_path, item.page, item.json, trail, parent_pages,
                      parent_json, collection_page, related, parent_ref, structured)


def _place(site: Site, location: str, parents: tuple[str, ...], collection: str | None,
           mode: str) -> tuple[Any, ...]:
    """The fields of an item's job that come from its parents and collection."""
    ancestors = site.ancestors(location)
    parent_ref = ref(site, collection) if collection else (
        ref(site, parents[0]) if parents else None)
    structured = mode == "always" or (mode == "auto" and (
        collection is None or len(site.nodes[collection].items) <= STRUCTURED_ITEMS_MAX))
    return (tuple((site.nodes[a].title, site.nodes[a].page) for a in ancestors),
            tuple((site.nodes[p].title, site.nodes[p].page) for p in parents),
            site.nodes[parents[0]].json if parents else None,
            (site.nodes[collection].title, site.nodes[collection].page,
             site.nodes[collection].json) if collection else None,
            parent_ref, structured)


def search_context(site: Site, info: SiteInfo, collections: list[str]) -> dict[str, Any]:
    """Template context of the search page."""
    page = "search/index.html"
    title = i18n.gettext("Search")
    context = page_context(info, page, title,
                           i18n.gettext("Search %(site)s: text, place and time.")
                           % {"site": site.title},
                           info.root_json, [(site.title, relative_url(info.root_page, page)),
                                            (title, None)], "search")
    context["collections"] = [(i, site.nodes[c].title) for i, c in enumerate(collections)]
    context["map"] = {"kind": "search", "json": Markup(script_json({
        "kind": "search", "land": context["static"] + "vendor/natural-earth/land-110m.js",
        "offline": site.config.offline})), "note": None}
    website: dict[str, Any] = {"@context": "https://schema.org/", "@type": "WebSite",
                               "name": site.title}
    if info.base_url:
        website["url"] = info.base_url + quote(info.root_page)
        website["potentialAction"] = {
            "@type": "SearchAction",
            "target": info.base_url + "search/index.html?q={search_term_string}",
            "query-input": "required name=search_term_string"}
    context["jsonld"] = Markup(render_jsonld(website))
    return context
