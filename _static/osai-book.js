/* osai-book.js: the course's own page script (not a vendored library).
 *
 * 1. Charts: chapter cells queue [id, spec, options] in window.osaiCharts; this script
 *    loads the vega bundle that the book serves itself (vendor/vega) once, then draws.
 *    (Widget pages get their RequireJS paths from vendor/require-config.js, loaded
 *    before require.js.)
 * Every URL is computed from this script's own address, so pages work at any depth and
 * under any sub-path.
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var root = new URL("../", me ? me.src : document.baseURI).href;
  var vendor = root + "vendor/";

  var vegaPromise = null;
  function loadVega() {
    if (window.vegaEmbed) return Promise.resolve(window.vegaEmbed);
    if (vegaPromise) return vegaPromise;
    vegaPromise = new Promise(function (resolve, reject) {
      // Hide RequireJS while the bundle runs so it assigns plain globals.
      var savedDefine = window.define;
      window.define = undefined;
      var s = document.createElement("script");
      s.src = vendor + "vega/vega-bundle.js";
      s.onload = function () {
        window.define = savedDefine;
        if (window.vegaEmbed) resolve(window.vegaEmbed);
        else reject(new Error("vega bundle loaded but vegaEmbed is missing"));
      };
      s.onerror = function () {
        window.define = savedDefine;
        reject(new Error("could not load " + s.src));
      };
      document.head.appendChild(s);
    });
    return vegaPromise;
  }

  function showError(el, err) {
    el.setAttribute("data-osai-error", String(err));
    var p = document.createElement("p");
    p.className = "osai-chart-error";
    p.textContent = "The chart could not be drawn: " + err + ". Its data is in the table below.";
    el.appendChild(p);
    console.error(err);
  }

  function draw(item) {
    var id = item[0], spec = item[1], opts = item[2] || {};
    var el = document.getElementById(id);
    if (!el) return;
    loadVega()
      .then(function (vegaEmbed) { return vegaEmbed(el, spec, opts); })
      .then(function (result) {
        el.setAttribute("data-osai-drawn", "true");
        el.osaiView = result.view;
        el.dispatchEvent(new CustomEvent("osai:drawn", { bubbles: true }));
      })
      .catch(function (err) { showError(el, err); });
  }

  function start() {
    var queue = window.osaiCharts || [];
    window.osaiCharts = { push: function (item) { draw(item); } };
    queue.forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
