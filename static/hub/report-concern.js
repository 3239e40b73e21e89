// A concern's page: where it is, on a small map (the report form uses log-engagement.js).
(function () {
  "use strict";
  var element = document.getElementById("concern-map");
  if (!element || typeof L === "undefined") { return; }
  var latitude = parseFloat(element.dataset.latitude);
  var longitude = parseFloat(element.dataset.longitude);
  if (isNaN(latitude) || isNaN(longitude)) { return; }

  var map = L.map(element, { scrollWheelZoom: false });
  if (element.dataset.tileUrl) { L.tileLayer(element.dataset.tileUrl, { maxZoom: 19 }).addTo(map); }
  map.setView([latitude, longitude], 15);
  L.circleMarker([latitude, longitude], { radius: 8, color: "#d4351c", fillOpacity: 0.6 }).addTo(map);
  if (!element.dataset.boundariesUrl) { element.setAttribute("data-loaded", "true"); return; }
  // Without tiles, the neighbourhood boundaries give the point its context.
  fetch(element.dataset.boundariesUrl, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (collection) {
      L.geoJSON(collection, { style: { color: "#1d70b8", weight: 1, fillOpacity: 0.05 }, interactive: false }).addTo(map);
      element.setAttribute("data-loaded", "true");
    })
    .catch(function () { element.setAttribute("data-loaded", "true"); });
})();
