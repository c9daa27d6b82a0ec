/* Field pages: register the service worker (installable PWA) and fill in where evidence was
   taken when the phone allows it. Everything works without this script. */
(function () {
  "use strict";
  var script = document.currentScript;
  if ("serviceWorker" in navigator && script && window.isSecureContext) {
    navigator.serviceWorker
      .register(script.dataset.sw, { scope: script.dataset.scope })
      .then(function () { document.documentElement.dataset.sw = "registered"; })
      .catch(function () { document.documentElement.dataset.sw = "failed"; });
  }
  var lat = document.querySelector('[data-geo="latitude"]');
  var lon = document.querySelector('[data-geo="longitude"]');
  if (lat && lon && "geolocation" in navigator) {
    var photo = document.getElementById("photo");
    if (photo) {
      photo.addEventListener("change", function () {
        navigator.geolocation.getCurrentPosition(function (pos) {
          lat.value = pos.coords.latitude.toFixed(6);
          lon.value = pos.coords.longitude.toFixed(6);
        }, function () {}, { timeout: 5000, maximumAge: 60000 });
      });
    }
  }
})();
