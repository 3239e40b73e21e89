// Where an engagement happened: from the browser's geolocation, or a tap on the map.
(function () {
  "use strict";
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");
  var status = document.getElementById("location-status");
  var element = document.getElementById("location-map");
  var button = document.getElementById("use-my-location");
  if (!latitude || !longitude || !element || typeof L === "undefined") { return; }

  var map = L.map(element);
  window.hubLocationMap = map;
  if (element.dataset.tileUrl) { L.tileLayer(element.dataset.tileUrl, { maxZoom: 19 }).addTo(map); }
  map.setView([54.5, -3.0], 9);
  var marker = null;
  var placed = false;  // set once the officer has chosen a place, so a late page load never overrides it

  function place(lat, lng, how) {
    placed = true;
    latitude.value = lat.toFixed(6);
    longitude.value = lng.toFixed(6);
    if (marker) { marker.setLatLng([lat, lng]); } else { marker = L.circleMarker([lat, lng], { radius: 8, color: "#d4351c" }).addTo(map); }
    status.textContent = "Location set " + how + ": " + latitude.value + ", " + longitude.value + ".";
  }

  fetch(element.dataset.boundariesUrl, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (collection) {
      var layer = L.geoJSON(collection, { style: { color: "#1d70b8", weight: 1, fillOpacity: 0.05 } }).addTo(map);
      if (!placed && latitude.value && longitude.value) {
        // An engagement being edited: show where it was.
        place(parseFloat(latitude.value), parseFloat(longitude.value), "earlier");
        map.setView([parseFloat(latitude.value), parseFloat(longitude.value)], 14);
      } else if (!placed && collection.features.length) {
        map.fitBounds(layer.getBounds());
      }
      element.setAttribute("data-loaded", "true");
    });

  map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, "from the map"); });

  button.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = "This browser cannot share its location: tap the map instead."; return; }
    status.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition(
      function (position) {
        place(position.coords.latitude, position.coords.longitude, "from your location");
        map.setView([position.coords.latitude, position.coords.longitude], 15);
      },
      function () { status.textContent = "Your location could not be found: tap the map instead."; },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });
})();
