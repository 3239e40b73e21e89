// Every map: vector boundaries from our own endpoint, a base layer only if the force configures one, the
// neighbourhoods' names as labels, a scale, and a point placed by a tap, by "Use my location" or by keyboard
// (pan with the arrow keys, Enter finds the neighbourhood under the cross in the middle).
(function () {
  "use strict";
  var element = document.getElementById("map");
  var status = document.getElementById("map-status");
  if (!element || typeof L === "undefined") { return; }
  var data = element.dataset;
  var isPublic = data.mode === "public";

  var map = L.map(element, { preferCanvas: false, keyboard: true, zoomSnap: 0.5 });
  window.hubMap = map;
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, { attribution: data.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
  map.setView([54.5, -3.0], 9);
  // Leaflet gives its container no role; ours is a labelled region. Zoom buttons are links with titles.
  element.setAttribute("tabindex", "0");

  var pageUrls = {};
  var marker = null;

  function say(text) { status.textContent = text; }

  function link(url, text) {
    var anchor = document.createElement("a");
    anchor.className = "govuk-link";
    anchor.href = url;
    anchor.textContent = text;
    return anchor;
  }

  fetch(data.boundariesUrl, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("the server answered " + response.status); }
      return response.json();
    })
    .then(function (collection) {
      var highlighted = null;
      var layer = L.geoJSON(collection, {
        style: function (feature) {
          var isHighlight = data.highlight && feature.properties.code === data.highlight;
          return {
            color: isHighlight ? "#0b0c0c" : "#1d70b8", weight: isHighlight ? 4 : 2,
            fillColor: "#1d70b8", fillOpacity: isHighlight ? 0.25 : (data.tileUrl ? 0.08 : 0.12)
          };
        },
        onEachFeature: function (feature, featureLayer) {
          var p = feature.properties;
          pageUrls[p.code] = p.url;
          if (data.highlight && p.code === data.highlight) { highlighted = featureLayer; }
          if (!data.noLocate) {
            featureLayer.bindPopup(function () {
              var box = document.createElement("div");
              box.appendChild(link(p.url, p.name));
              box.appendChild(document.createElement("br"));
              box.appendChild(document.createTextNode(p.area_sq_km + " km²"));
              return box;
            });
          }
          featureLayer.on("add", function () {
            var path = featureLayer.getElement && featureLayer.getElement();
            if (path) { path.setAttribute("data-neighbourhood", p.code); }
          });
        }
      }).addTo(map);
      // Names as labels, at a point inside each area (not announced twice: the list on the page names them).
      collection.features.forEach(function (feature) {
        var p = feature.properties;
        if (!p.label) { return; }
        L.marker(p.label, {
          interactive: false, keyboard: false,
          icon: L.divIcon({ className: "hub-map-label", html: "", iconSize: null })
        }).addTo(map).getElement().textContent = p.name;
      });
      if (highlighted) { map.fitBounds(highlighted.getBounds(), { padding: [20, 20] }); }
      else if (collection.features.length) { map.fitBounds(layer.getBounds()); }
      say(data.noLocate ? "" : collection.features.length + " neighbourhoods shown. Tap the map, or use the keys, to find the neighbourhood of a place.");
      element.setAttribute("data-loaded", "true");
    })
    .catch(function (error) {
      say("The map could not be loaded: " + error.message + ".");
    });

  if (data.noLocate) { return; }

  function locateUrl(latlng) {
    var lat = latlng.lat.toFixed(6), lng = latlng.lng.toFixed(6);
    return isPublic ? data.locateUrl + "?q=" + lat + "," + lng : data.locateUrl + "?lat=" + lat + "&lng=" + lng;
  }

  function place(latlng, how) {
    if (marker) { marker.setLatLng(latlng); } else {
      marker = L.circleMarker(latlng, { radius: 9, color: "#0b0c0c", weight: 3, fillColor: "#ffdd00", fillOpacity: 1, interactive: false }).addTo(map);
    }
    element.setAttribute("data-point", latlng.lat.toFixed(5) + "," + latlng.lng.toFixed(5));
    say("Finding the neighbourhood " + how + "…");
    fetch(locateUrl(latlng), { credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; }); })
      .then(function (result) {
        var answer = result.answer;
        var code = isPublic ? answer.neighbourhood : answer.code;
        status.textContent = "";
        if (!result.ok || !code) {
          say((how === "at your location" ? "Your location" : "That place") + " is in none of our neighbourhoods.");
          return;
        }
        var name = answer.name || code;
        var url = pageUrls[code];
        if (isPublic && answer.name === undefined) {
          // The public API answers ids; the boundaries we drew carry the names.
          map.eachLayer(function (l) { if (l.feature && l.feature.properties.code === code) { name = l.feature.properties.name; } });
        }
        status.appendChild(document.createTextNode((how === "at your location" ? "You are in " : "That place is in ")));
        if (url) { status.appendChild(link(url, name)); } else { status.appendChild(document.createTextNode(name)); }
        status.appendChild(document.createTextNode("."));
        element.setAttribute("data-found", code);
      })
      .catch(function () { say("The neighbourhood could not be found: try again."); });
  }

  map.on("click", function (event) { place(event.latlng, "for that place"); });
  element.addEventListener("keydown", function (event) {
    if ((event.key === "Enter" || event.key === " ") && event.target === element) {
      event.preventDefault();
      place(map.getCenter(), "at the middle of the map");
    }
  });
  element.classList.add("hub-map--crosshair");

  var centreButton = document.getElementById("map-use-centre");
  if (centreButton) {
    centreButton.hidden = false;
    centreButton.addEventListener("click", function () { place(map.getCenter(), "at the middle of the map"); });
  }

  var locationButton = document.getElementById("use-my-location");
  if (locationButton && navigator.geolocation) {
    locationButton.hidden = false;
    locationButton.addEventListener("click", function () {
      say("Finding your location…");
      navigator.geolocation.getCurrentPosition(function (position) {
        var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
        map.setView(latlng, Math.max(map.getZoom(), 14));
        place(latlng, "at your location");
      }, function (error) {
        say(error.code === 1 ? "You did not allow this site to use your location. Search or use the map instead."
          : "Your location could not be found. Search or use the map instead.");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }
})();
