/* stac-sitegen search: runs in the browser on the prebuilt index in search/.
   Index files are classic scripts (fetch() is refused under file://); each one calls
   sitegenSearch.add(kind, key, data). Only the files a query needs are loaded. */
(function () {
  "use strict";
  // Interface text in the site's language: _static/messages.LANG.js fills
  // window.SITEGEN_MESSAGES (English pages have none); %(name)s takes values[name].
  function _(text, values) {
    var said = (window.SITEGEN_MESSAGES || {})[text] || text;
    return values ? said.replace(/%\((\w+)\)s/g, function (all, k) { return String(values[k]); }) : said;
  }
  var PAGE = 20;
  var loaded = {};
  var waiting = {};
  window.sitegenSearch = {
    add: function (kind, key, data) {
      var id = kind + ":" + key;
      loaded[id] = data;
      (waiting[id] || []).forEach(function (done) { done(data); });
      delete waiting[id];
    },
    files: []
  };

  function load(kind, key, path) {
    var id = kind + ":" + key;
    if (loaded[id]) { return Promise.resolve(loaded[id]); }
    return new Promise(function (resolve, reject) {
      if (waiting[id]) { waiting[id].push(resolve); return; }
      waiting[id] = [resolve];
      var script = document.createElement("script");
      script.src = path;
      script.onerror = function () { reject(new Error("cannot load " + path)); };
      window.sitegenSearch.files.push(path);
      document.head.appendChild(script);
    });
  }

  function normalize(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function words(text) {
    var norm = normalize(text).trim();
    var list = norm.split(/[^0-9a-z]+/).filter(Boolean);
    // a whole id (s2a_msil2a_...) is indexed as one term too: search it as typed
    if (/^[0-9a-z][0-9a-z_.-]{0,59}$/.test(norm) && list.length > 1) { return [norm]; }
    return list;
  }
  function day(iso) { return iso ? Math.floor(Date.parse(iso + "T00:00:00Z") / 86400000) : null; }
  function isoDay(n) { return new Date(n * 86400000).toISOString().slice(0, 10); }

  // --- state <-> URL hash ----------------------------------------------------------
  function readState() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    if (!location.hash && location.search) { params = new URLSearchParams(location.search); }
    var bbox = (params.get("bbox") || "").split(",").map(Number);
    return {
      q: params.get("q") || "", c: params.get("c") || "",
      from: params.get("from") || "", to: params.get("to") || "",
      bbox: bbox.length === 4 && bbox.every(isFinite) ? bbox : null,
      sort: params.get("sort") || "relevance", page: Math.max(0, Number(params.get("page")) || 0)
    };
  }
  function writeState(state) {
    var params = new URLSearchParams();
    if (state.q) { params.set("q", state.q); }
    if (state.c !== "") { params.set("c", state.c); }
    if (state.from) { params.set("from", state.from); }
    if (state.to) { params.set("to", state.to); }
    if (state.bbox) { params.set("bbox", state.bbox.join(",")); }
    if (state.sort !== "relevance") { params.set("sort", state.sort); }
    if (state.page) { params.set("page", String(state.page)); }
    location.hash = params.toString();
  }

  // --- filters on statistics and rows ------------------------------------------------
  function overlapsTime(t, from, to) {
    if (from === null && to === null) { return true; }
    if (!t) { return false; }
    return (from === null || t[1] >= from) && (to === null || t[0] <= to);
  }
  function insideTime(t, from, to) {
    if (from === null && to === null) { return true; }
    return !!t && (from === null || t[0] >= from) && (to === null || t[1] <= to);
  }
  function boxes(b) {  // a box across the antimeridian is two boxes
    return b[0] > b[2] ? [[b[0], b[1], 180, b[3]], [-180, b[1], b[2], b[3]]] : [b];
  }
  function intersects(a, b) {
    return boxes(a).some(function (x) {
      return boxes(b).some(function (y) {
        return x[0] <= y[2] && x[2] >= y[0] && x[1] <= y[3] && x[3] >= y[1];
      });
    });
  }
  function within(inner, outer) {
    return boxes(inner).every(function (x) {
      return boxes(outer).some(function (y) {
        return x[0] >= y[0] && x[2] <= y[2] && x[1] >= y[1] && x[3] <= y[3];
      });
    });
  }
  function statsMatch(st, f) {
    if (f.c !== null && !st.c[f.c]) { return false; }
    if (!overlapsTime(st.t, f.from, f.to)) { return false; }
    if (f.bbox && !(st.b && intersects(st.b, f.bbox))) { return false; }
    return true;
  }
  function statsInside(st, f) {  // every row matches, but for the collection (counted per collection)
    if (!insideTime(st.t, f.from, f.to)) { return false; }
    if (f.bbox && (st.nb || !st.b || !within(st.b, f.bbox))) { return false; }
    return true;
  }
  function count(st, f) { return f.c !== null ? (st.c[f.c] || 0) : st.n; }
  function rowMatch(r, f) {
    if (f.c !== null && r[8] !== f.c) { return false; }
    if (f.from !== null || f.to !== null) {
      var start = r[4], end = r[5] === null ? r[4] : r[5];
      if (start === null) { return false; }
      if ((f.from !== null && end < f.from) || (f.to !== null && start > f.to)) { return false; }
    }
    if (f.bbox && !(r[6] && intersects(r[6], f.bbox))) { return false; }
    return true;
  }

  // --- the query ------------------------------------------------------------------
  function chunksFor(term, chunks) {
    return chunks.filter(function (c) {
      if (c.slice(-1) === "~") { var p = c.slice(0, -1); return p === term || p.indexOf(term) === 0; }
      return term.indexOf(c) === 0 || c.indexOf(term) === 0;
    }).slice(0, 12);
  }
  var CODES = { "_": "_u", ".": "_d", "-": "_h", "~": "_t" };
  function chunkFile(prefix) {  // mirrors search.chunk_file()
    return prefix.split("").map(function (c) { return CODES[c] || c; }).join("") + ".js";
  }
  function textMatches(manifest, q) {
    var list = words(q);
    if (!list.length) { return Promise.resolve(null); }
    return Promise.all(list.map(function (term) {
      var chunks = chunksFor(term, manifest.chunks);
      return Promise.all(chunks.map(function (c) {
        return load("terms", c, "t/" + chunkFile(c));
      })).then(function (datas) {
        var scores = new Map(), capped = false;
        datas.forEach(function (data) {
          Object.keys(data).forEach(function (t) {
            if (t.indexOf(term) !== 0) { return; }
            var score = t === term ? 2 : 1;
            if (data[t][1] > data[t][0].length) { capped = true; }
            data[t][0].forEach(function (d) { scores.set(d, Math.max(scores.get(d) || 0, score)); });
          });
        });
        return { scores: scores, capped: capped };
      });
    })).then(function (per) {
      var result = per[0].scores, capped = per.some(function (p) { return p.capped; });
      per.slice(1).forEach(function (p) {
        var next = new Map();
        result.forEach(function (s, d) { if (p.scores.has(d)) { next.set(d, s + p.scores.get(d)); } });
        result = next;
      });
      return { scores: result, capped: capped };
    });
  }
  function bucketOf(manifest, docno) {
    for (var i = 0; i < manifest.buckets.length; i++) {
      var b = manifest.buckets[i];
      if (docno >= b.d && docno < b.d + b.n) { return b; }
    }
    return null;
  }
  function rowsOf(shard) { return load("shard", String(shard.s), "s/" + shard.s + ".js"); }

  function runText(manifest, text, f, need) {
    // candidates in order: relevance (score, then newest) or date (newest month first)
    var order = Array.from(text.scores.entries());
    order.sort(function (a, b) { return (f.sort === "date" ? 0 : b[1] - a[1]) || a[0] - b[0]; });
    var found = [], index = 0;
    function shardNo(docno) {
      var bucket = bucketOf(manifest, docno);
      if (!bucket || !statsMatch(bucket, f)) { return null; }
      // shards are cut every manifest.rows rows: no need to load the bucket file
      return bucket.s0 + Math.floor((docno - bucket.d) / manifest.rows);
    }
    function step() {
      if (found.length >= need || index >= order.length) {
        // words alone: every candidate matches, so the postings give the count
        var unfiltered = f.c === null && f.from === null && f.to === null && !f.bbox;
        return Promise.resolve({
          rows: found, capped: text.capped,
          total: index >= order.length ? found.length : (unfiltered ? order.length : null) });
      }
      // the shards of the next candidates load in parallel
      var batch = order.slice(index, index + Math.max(need - found.length, 8));
      index += batch.length;
      var shards = {};
      batch.forEach(function (pair) {
        var s = shardNo(pair[0]);
        if (s !== null) { shards[s] = true; }
      });
      return Promise.all(Object.keys(shards).map(function (s) {
        return rowsOf({ s: Number(s) });
      })).then(function () {
        batch.forEach(function (pair) {
          var s = shardNo(pair[0]);
          if (s === null || found.length >= need) { return; }
          var rows = loaded["shard:" + s];
          var row = rows && rows[pair[0] - rows[0][0]];
          if (row && rowMatch(row, f)) { row.score = pair[1]; found.push(row); }
        });
        return step();
      });
    }
    return step();
  }

  function runFilters(manifest, f, need) {
    var buckets = manifest.buckets.filter(function (b) { return statsMatch(b, f); });
    var found = [], counted = 0, exact = true, bi = 0;
    function take(rows) {
      rows.forEach(function (r) {
        if (rowMatch(r, f)) { counted++; if (found.length < need) { found.push(r); } }
      });
    }
    function nextBucket() {
      if (bi >= buckets.length || !exact) {
        return Promise.resolve({ rows: found, total: exact ? counted : null });
      }
      var bucket = buckets[bi++];
      if (found.length >= need && statsInside(bucket, f)) {
        counted += count(bucket, f);  // counted from the manifest, nothing loaded
        return nextBucket();
      }
      return load("bucket", bucket.k, "b/" + bucket.k + ".js").then(function (shards) {
        var todo = shards.filter(function (s) { return statsMatch(s, f); });
        var si = 0;
        function nextGroup() {
          if (si >= todo.length) { return nextBucket(); }
          // load only as many shards as their statistics say are needed to fill the page
          var group = [], expected = 0;
          while (si < todo.length && group.length < 8 &&
                 (found.length + expected < need || !group.length)) {
            var shard = todo[si++];
            if (found.length >= need && statsInside(shard, f)) {
              counted += count(shard, f);
            } else {
              group.push(shard);
              expected += statsInside(shard, f) ? count(shard, f) : 1;
            }
          }
          if (found.length >= need && todo.length - si + group.length > 8) {
            exact = false;  // stop loading: the count becomes "more than"
            return nextBucket();
          }
          return Promise.all(group.map(rowsOf)).then(function (all) {
            all.forEach(take);
            return nextGroup();
          });
        }
        return nextGroup();
      });
    }
    return nextBucket();
  }

  // --- page -----------------------------------------------------------------------
  var form = document.getElementById("search-form");
  if (!form) { return; }
  var els = {};
  ["q", "c", "from", "to", "sort", "w", "s", "e", "n", "status", "results", "pages"].forEach(
    function (id) { els[id] = document.getElementById(id); });
  // manifest.js follows this script in the page, so it loads while this runs. A theme
  // page without that tag still works: the manifest is added once parsing is done.
  var manifestPromise = new Promise(function (resolve) { waiting["manifest:"] = [resolve]; });
  document.addEventListener("DOMContentLoaded", function () {
    if (!loaded["manifest:"]) {
      var script = document.createElement("script");
      script.src = "manifest.js";
      document.head.appendChild(script);
    }
  });
  var collections = [];
  var resultLayer = null;

  function fill(state) {
    els.q.value = state.q; els.c.value = state.c; els.from.value = state.from;
    els.to.value = state.to; els.sort.value = state.sort;
    ["w", "s", "e", "n"].forEach(function (k, i) { els[k].value = state.bbox ? state.bbox[i] : ""; });
  }
  function formState() {
    var bbox = ["w", "s", "e", "n"].map(function (k) { return els[k].value; });
    var filled = bbox.every(function (v) { return v !== ""; });
    return { q: els.q.value.trim(), c: els.c.value, from: els.from.value, to: els.to.value,
             bbox: filled ? bbox.map(Number) : null, sort: els.sort.value, page: 0 };
  }
  function number(n) { return n.toLocaleString(document.documentElement.lang || undefined); }
  function link(url) { return (/^https?:/).test(url) ? url : "../" + url; }
  function render(state, result) {
    els.results.textContent = "";
    var rows = result.rows;
    if (state.sort === "date" || !state.q) {
      rows = rows.slice().sort(function (a, b) { return (b[4] || -1e9) - (a[4] || -1e9); });
    }
    var shown = rows.slice(state.page * PAGE, (state.page + 1) * PAGE);
    var total = result.total;
    if (!rows.length) {
      els.status.textContent = _("No results. Try fewer words, a longer period or a larger area.");
    } else {
      var count = { count: number(total === null ? rows.length : total) };
      els.status.textContent = (total === null ? _("More than %(count)s results", count) :
        total === 1 ? _("1 result") : _("%(count)s results", count)) +
        (result.capped ? _(" (common words: showing the newest)") : "") +
        _(", showing %(first)s–%(last)s.", { first: number(state.page * PAGE + 1),
                                             last: number(state.page * PAGE + shown.length) });
    }
    shown.forEach(function (r) {
      var li = document.createElement("li");
      if (r[7]) {
        var img = document.createElement("img");
        img.src = link(r[7]); img.alt = ""; img.loading = "lazy";
        li.appendChild(img);
      } else {
        var ph = document.createElement("span"); ph.className = "thumb-placeholder"; li.appendChild(ph);
      }
      var body = document.createElement("div");
      var a = document.createElement("a");
      a.href = link(r[3]); a.textContent = r[1];
      var meta = document.createElement("div");
      meta.className = "result-meta";
      var parts = [r[9] === "item" ? _("Item") : r[9] === "collection" ? _("Collection") : _("Catalog")];
      if (r[2] && r[2] !== r[1]) { parts.push(r[2]); }
      if (r[4] !== null) { parts.push(isoDay(r[4]) + (r[5] !== null && r[5] !== r[4] ? " – " + isoDay(r[5]) : "")); }
      if (r[8] >= 0 && collections[r[8]]) { parts.push(collections[r[8]][0]); }
      meta.textContent = parts.join(" · ");
      body.appendChild(a); body.appendChild(meta); li.appendChild(body);
      els.results.appendChild(li);
    });
    els.pages.textContent = "";
    if (state.page > 0) { els.pages.appendChild(pageLink(state, state.page - 1, _("Previous"))); }
    if (rows.length > (state.page + 1) * PAGE || total === null) {
      els.pages.appendChild(pageLink(state, state.page + 1, _("Next")));
    }
    drawResults(shown);
  }
  function pageLink(state, page, text) {
    var button = document.createElement("button");
    button.type = "button"; button.className = "secondary"; button.textContent = text;
    button.addEventListener("click", function () { writeState(Object.assign({}, state, { page: page })); });
    return button;
  }
  var mapScripts = null;
  function mapReady() {  // the map's scripts, loaded in order once, after the first results
    if (mapScripts) { return mapScripts; }
    var meta = document.querySelector("meta[name='sitegen-map-scripts']");
    var srcs = meta ? meta.getAttribute("content").split(" ") : [];
    mapScripts = srcs.reduce(function (chain, src) {
      return chain.then(function () {
        return new Promise(function (resolve) {
          var script = document.createElement("script");
          script.src = src;
          script.onload = script.onerror = resolve;
          document.head.appendChild(script);
        });
      });
    }, Promise.resolve());
    return mapScripts;
  }
  function drawResults(rows) {
    var map = window.sitegenMap;
    if (!map || !window.L) {
      mapReady().then(function () { if (window.sitegenMap) { drawResults(rows); } });
      return;
    }
    if (resultLayer) { map.removeLayer(resultLayer); }
    resultLayer = L.featureGroup();
    rows.forEach(function (r) {
      if (!r[6]) { return; }
      var b = r[6], east = b[0] > b[2] ? b[2] + 360 : b[2];
      L.rectangle([[b[1], b[0]], [b[3], east]], { color: "#0b5cad", weight: 1, fillOpacity: 0.1 })
        .bindTooltip(r[1]).on("click", function () { location.href = link(r[3]); })
        .addTo(resultLayer);
    });
    resultLayer.addTo(map);
    if (resultLayer.getLayers().length) {
      map.fitBounds(resultLayer.getBounds(), { maxZoom: 10, padding: [12, 12], animate: false });
    }
  }
  function run() {
    var started = performance.now();
    var state = readState();
    fill(state);
    els.status.textContent = _("Searching…");
    manifestPromise.then(function (manifest) {
      collections = manifest.collections;
      var f = { c: state.c === "" ? null : Number(state.c), from: day(state.from), to: day(state.to),
                bbox: state.bbox, sort: state.sort };
      var need = (state.page + 1) * PAGE + 1;
      return textMatches(manifest, state.q).then(function (text) {
        return text ? runText(manifest, text, f, need) : runFilters(manifest, f, need);
      });
    }).then(function (result) {
      render(state, result);
      window.sitegenSearch.lastMs = performance.now() - started;
      window.sitegenSearch.sinceLoadMs = performance.now();
      document.documentElement.setAttribute("data-search", "done");
    }, function (error) {
      els.status.textContent = _("The search index could not be loaded (%(error)s).", { error: error.message });
      document.documentElement.setAttribute("data-search", "error");
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); writeState(formState()); });
  document.getElementById("clear-bbox").addEventListener("click", function () {
    ["w", "s", "e", "n"].forEach(function (k) { els[k].value = ""; });
  });
  document.getElementById("view").addEventListener("click", function () {
    var map = window.sitegenMap;
    if (!map) { return; }
    var b = map.getBounds();
    var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return Math.round(v * 1e4) / 1e4; });
    box[0] = Math.max(box[0], -180); box[2] = Math.min(box[2], 180);
    box[1] = Math.max(box[1], -90); box[3] = Math.min(box[3], 90);
    ["w", "s", "e", "n"].forEach(function (k, i) { els[k].value = box[i]; });
    writeState(formState());
  });
  document.getElementById("draw").addEventListener("click", function () {
    var map = window.sitegenMap;
    if (!map) { return; }
    var button = this, first = null, preview = null;
    button.textContent = _("Click two corners on the map");
    map.getContainer().style.cursor = "crosshair";
    function corner(event) {
      if (!first) { first = event.latlng; preview = L.rectangle([first, first], { dashArray: "4 4" }).addTo(map); return; }
      var a = first, b = event.latlng;
      map.off("click", corner); map.off("mousemove", move);
      map.getContainer().style.cursor = ""; map.removeLayer(preview);
      button.textContent = _("Draw a box on the map");
      var box = [Math.min(a.lng, b.lng), Math.min(a.lat, b.lat), Math.max(a.lng, b.lng), Math.max(a.lat, b.lat)];
      ["w", "s", "e", "n"].forEach(function (k, i) { els[k].value = Math.round(box[i] * 1e4) / 1e4; });
      writeState(formState());
    }
    function move(event) { if (first && preview) { preview.setBounds([first, event.latlng]); } }
    map.on("click", corner); map.on("mousemove", move);
  });
  window.addEventListener("hashchange", run);
  window.sitegenSearch.files.push("manifest.js");
  run();
})();
