// The neighbourhood map: vector boundaries from our own endpoint; tiles only if a tile URL is set.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var status = document.getElementById("map-status");
  if (!element || typeof L === "undefined") { return; }

  var map = L.map(element, { preferCanvas: false });
  window.hubMap = map;
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  map.setView([54.5, -3.0], 9);

  function escapeText(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  fetch(element.dataset.boundariesUrl, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("the server answered " + response.status); }
      return response.json();
    })
    .then(function (collection) {
      var layer = L.geoJSON(collection, {
        style: { color: "#1d70b8", weight: 2, fillColor: "#1d70b8", fillOpacity: 0.12 },
        onEachFeature: function (feature, featureLayer) {
          var p = feature.properties;
          featureLayer.bindPopup('<a href="' + p.url + '">' + escapeText(p.name) + "</a><br>" + p.area_sq_km + " km²");
          featureLayer.bindTooltip(escapeText(p.name));
          featureLayer.on("add", function () {
            var path = featureLayer.getElement && featureLayer.getElement();
            if (path) { path.setAttribute("data-neighbourhood", p.code); path.setAttribute("aria-label", p.name); }
          });
        }
      }).addTo(map);
      if (collection.features.length) { map.fitBounds(layer.getBounds()); }
      status.textContent = collection.features.length + " neighbourhoods shown.";
      element.setAttribute("data-loaded", "true");
    })
    .catch(function (error) {
      status.textContent = "The neighbourhoods could not be loaded: " + error.message + ".";
    });

  map.on("click", function (event) {
    var url = element.dataset.locateUrl + "?lat=" + event.latlng.lat.toFixed(6) + "&lng=" + event.latlng.lng.toFixed(6);
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        status.textContent = answer.name ? "That place is in " + answer.name + "." : answer.error;
      });
  });
})();
