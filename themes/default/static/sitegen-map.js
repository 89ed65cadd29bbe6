/* stac-sitegen maps: fills the folium skeleton (_static/maps/KIND.js) with this page's
   data, and falls back to the bundled Natural Earth land layer when tiles cannot load. */
(function () {
  "use strict";
  // Interface text in the site's language: _static/messages.LANG.js fills
  // window.SITEGEN_MESSAGES (English pages have none); %(name)s takes values[name].
  function _(text, values) {
    var said = (window.SITEGEN_MESSAGES || {})[text] || text;
    return values ? said.replace(/%\((\w+)\)s/g, function (all, k) { return String(values[k]); }) : said;
  }
  var node = document.getElementById("sitegen-map-data");
  if (!node || !window.L) { return; }
  var data = JSON.parse(node.textContent);
  var map = window["map_" + data.kind];
  if (!map) { return; }
  var accent = "#0b5cad";
  // Leaflet's zoom buttons carry English titles; give them the page's language.
  [["in", _("Zoom in")], ["out", _("Zoom out")]].forEach(function (pair) {
    var button = map.getContainer().querySelector(".leaflet-control-zoom-" + pair[0]);
    if (button) { button.title = pair[1]; button.setAttribute("aria-label", pair[1]); }
  });

  // --- basemap: tiles, or the bundled land layer when they fail (or offline) ---------
  var landShown = false;
  map.createPane("sitegen-land").style.zIndex = 150;
  function drawLand() {
    var group = L.layerGroup();
    [-360, 0, 360].forEach(function (shift) {
      L.geoJSON(window.SITEGEN_LAND, {
        pane: "sitegen-land", interactive: false,
        coordsToLatLng: function (c) { return L.latLng(c[1], c[0] + shift); },
        style: { color: "#8896a3", weight: 1, fillColor: "#f1efe6", fillOpacity: 1 }
      }).addTo(group);
    });
    group.addTo(map);
    map.getContainer().setAttribute("data-basemap", "natural-earth");
    map.attributionControl.addAttribution("Land: Natural Earth");
  }
  function showLand() {
    if (landShown) { return; }
    landShown = true;
    if (window.SITEGEN_LAND) { drawLand(); return; }
    var script = document.createElement("script");
    script.src = data.land;
    script.onload = drawLand;
    document.head.appendChild(script);
  }
  var tiles = window.tile_layer_base;
  if (!tiles || data.offline) {
    if (tiles) { map.removeLayer(tiles); }
    showLand();
  } else {
    map.getContainer().setAttribute("data-basemap", "tiles");
    tiles.on("tileerror", showLand);
    // Offline, tiles may have failed before this script ran, when no one heard their
    // tileerror (and a view that does not move asks for no more): a broken image is
    // complete with no width.
    var shown = map.getContainer().querySelectorAll("img.leaflet-tile");
    for (var i = 0; i < shown.length; i++) {
      if (shown[i].complete && shown[i].naturalWidth === 0) { showLand(); break; }
    }
  }

  // --- layers -------------------------------------------------------------------------
  function point(feature, latlng) {
    var count = feature.properties && feature.properties.count;
    var radius = count ? Math.min(24, 4 + Math.sqrt(count) * 2) : 6;
    return L.circleMarker(latlng, { radius: radius, color: accent, weight: 2, fillOpacity: 0.35 });
  }
  function linked(feature, layer) {
    var p = feature.properties || {};
    if (p.count) { layer.bindTooltip(p.count === 1 ? _("1 item") : _("%(count)s items", { count: p.count.toLocaleString(document.documentElement.lang) })); return; }
    if (!p.u) { return; }
    layer.bindTooltip(p.t || "");
    layer.on("click", function () { window.location.href = p.u; });
    layer.on("add", function () {
      var el = layer.getElement && layer.getElement();
      if (el) { el.style.cursor = "pointer"; el.setAttribute("role", "img"); el.setAttribute("aria-label", p.t || ""); }
    });
  }
  function fill(layer, collection, style, onEach) {
    if (!layer || !collection) { return; }
    layer.options.onEachFeature = onEach || null;
    layer.options.pointToLayer = point;
    layer.options.style = style;
    layer.addData(collection);
  }
  if (data.kind === "item") {
    fill(window.geo_json_footprint, data.footprint,
      { color: accent, weight: 2, fillOpacity: 0.08 });
    if (data.overlay) {
      var image = L.imageOverlay(data.overlay.url, data.overlay.bounds,
        { opacity: 0.85, interactive: false }).addTo(map);
      var Opacity = L.Control.extend({
        onAdd: function () {
          var box = L.DomUtil.create("label", "opacity-control");
          box.textContent = _("Preview") + " ";
          var input = L.DomUtil.create("input", "", box);
          input.type = "range"; input.min = "0"; input.max = "100"; input.value = "85";
          input.setAttribute("aria-label", _("Preview image opacity"));
          L.DomEvent.disableClickPropagation(box);
          input.addEventListener("input", function () { image.setOpacity(input.value / 100); });
          return box;
        }
      });
      new Opacity({ position: "topright" }).addTo(map);
    }
  } else if (data.kind === "collection") {
    fill(window.geo_json_extent, data.extent, function (f) {
      return { color: "#c0392b", weight: 2, dashArray: f.properties.overall ? "6 4" : null,
               fill: false, interactive: false };
    });
    fill(window.geo_json_items, data.items,
      { color: accent, weight: 1, fillOpacity: 0.12 }, linked);
  } else {
    fill(window.geo_json_children, data.children, function (f) {
      return { color: f.properties.k === "collection" ? accent : "#6b4fa3", weight: 2,
               fillOpacity: 0.1 };
    }, linked);
    if (data.items) {
      fill(window.geo_json_children, data.items,
        { color: accent, weight: 1, fillOpacity: 0.12 }, linked);
    }
  }
  if (data.bounds) {
    map.fitBounds(data.bounds, { padding: [16, 16], maxZoom: 15 });
  } else {
    map.setView([20, 0], 1);
  }
  window.sitegenMap = map;
})();
