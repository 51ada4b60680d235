/* osai-book.js: the course's own page script (not a vendored library).
 *
 * Charts: chapter cells queue [id, spec, options, narrow] in window.osaiCharts; this script
 * loads the vega bundle that the book serves itself (vendor/vega) once per page (the
 * browser caches it across pages: same URL everywhere), then draws each chart to fit the
 * width its element has:
 *   - a single or layered view fills the element (autosize "fit-x");
 *   - in a concatenation, every view with a fixed width is narrowed until the drawing fits;
 *   - below NARROW px, legends go under the chart and long titles wrap;
 *   - a figure may carry a second spec for narrow screens (`narrow`, with the width below
 *     which it is used): charts laid out by pixel positions change layout there.
 * The chart is redrawn when its element changes width (phone rotated, window resized).
 * Every URL is computed from this script's own address, so pages work at any depth and
 * under any sub-path.
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var root = new URL("../", me ? me.src : document.baseURI).href;
  var vendor = root + "vendor/";
  var NARROW = 560;
  var MIN_VIEW = 140;
  var LEGEND_CHANNELS = ["color", "fill", "stroke", "shape", "size", "opacity", "strokeDash"];

  var vegaPromise = null;
  function loadVega() {
    if (window.vegaEmbed) return Promise.resolve(window.vegaEmbed);
    if (vegaPromise) return vegaPromise;
    vegaPromise = new Promise(function (resolve, reject) {
      // Hide RequireJS (if a widget page loaded it) while the bundle runs, so it assigns
      // plain globals.
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

  // osai-widgets.js waits for this before it loads RequireJS (the widget manager), so the
  // bundle never runs while RequireJS's define() is on the page
  window.osaiLoadVega = loadVega;

  function showError(el, err) {
    el.setAttribute("data-osai-error", String(err));
    var p = document.createElement("p");
    p.className = "osai-chart-error";
    p.textContent = "The chart could not be drawn: " + err + ". Its data is in the table below.";
    el.appendChild(p);
    console.error(err);
  }

  // ------------------------------------------------------------------ fitting a spec

  function clone(x) { return JSON.parse(JSON.stringify(x)); }

  function isConcat(s) { return !!(s.vconcat || s.hconcat || s.concat); }

  function wrap(text, fontSize, avail) {
    if (Array.isArray(text)) text = text.join(" ");
    if (typeof text !== "string") return text;
    var perChar = fontSize * 0.64;
    if (text.length * perChar <= avail) return text;
    var max = Math.max(12, Math.floor(avail / perChar));
    var lines = [], line = "";
    text.split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > max) { lines.push(line); line = word; }
      else line = line ? line + " " + word : word;
    });
    if (line) lines.push(line);
    return lines;
  }

  function fitTitle(title, avail, narrow) {
    if (title === undefined || title === null) return title;
    if (typeof title === "string" || Array.isArray(title)) {
      title = { text: title };
    }
    var t = Object.assign({}, title);
    if (t.text !== undefined) t.text = wrap(t.text, t.fontSize || 13, avail);
    if (t.subtitle !== undefined) t.subtitle = wrap(t.subtitle, t.subtitleFontSize || 10, avail);
    if (narrow) { t.anchor = "start"; t.frame = "bounds"; }
    return t;
  }

  // Walk every view of a spec (the top level, concatenated and layered children).
  function eachView(s, fn) {
    if (!s || typeof s !== "object") return;
    fn(s);
    ["vconcat", "hconcat", "concat", "layer"].forEach(function (k) {
      if (Array.isArray(s[k])) s[k].forEach(function (c) { eachView(c, fn); });
    });
    if (s.spec) eachView(s.spec, fn);
  }

  function narrowAxes(view, avail) {
    var enc = view.encoding;
    if (!enc) return;
    ["x", "y"].forEach(function (ch) {
      var e = enc[ch];
      if (!e || typeof e !== "object") return;
      if (typeof e.title === "string") e.title = wrap(e.title, 11, ch === "x" ? avail - 60 : 240);
      // long category names on the y axis leave the plot no room: shorten them (the
      // tooltip and the data table below the chart give them whole)
      if (ch === "y" && e.axis !== null && /^(nominal|ordinal)$/.test(e.type || "")) {
        e.axis = Object.assign({}, e.axis || {},
          { labelLimit: Math.min((e.axis || {}).labelLimit || 180, Math.floor(avail * 0.4)) });
      }
    });
  }

  function narrowLegends(view, avail) {
    var enc = view.encoding;
    if (!enc) return;
    LEGEND_CHANNELS.forEach(function (ch) {
      var e = enc[ch];
      if (!e || typeof e !== "object" || e.legend === null || !(e.field || e.aggregate)) return;
      e.legend = Object.assign({}, e.legend || {}, {
        orient: "bottom", direction: "horizontal",
        columns: Math.max(1, Math.floor((avail - 90) / 140)), labelLimit: 100,
        titleLimit: avail - 40,
      });
    });
  }

  // The spec to draw at `avail` px; `shrink` px are taken off every fixed view width.
  function fitSpec(spec, avail, shrink) {
    var s = clone(spec);
    var narrow = avail < NARROW;
    if (isConcat(s)) {
      if (narrow && s.hconcat) { s.vconcat = s.hconcat; delete s.hconcat; }
      eachView(s, function (v) {
        if (v !== s && typeof v.width === "number") {
          v.width = Math.max(MIN_VIEW, Math.min(v.width, avail - 40) - shrink);
        }
      });
    } else {
      eachView(s, function (v) { if (v !== s && typeof v.width === "number") delete v.width; });
      s.width = Math.max(MIN_VIEW, avail - shrink);
      s.autosize = { type: "fit-x", contains: "padding" };
    }
    eachView(s, function (v) {
      // a title that stuck out last time (a wide font) wraps shorter this time
      if (v.title !== undefined) v.title = fitTitle(v.title, avail - 20 - shrink, narrow);
      if (narrow) { narrowLegends(v, avail); narrowAxes(v, avail); }
    });
    if (narrow) {
      s.config = s.config || {};
      s.config.legend = Object.assign({}, s.config.legend || {}, { orient: "bottom" });
    }
    return s;
  }

  // How far right the drawing reaches from the element's left edge: the svg, and any mark
  // (an axis label, a text) drawn past the svg's own edge, where it would be cut off.
  function drawnWidth(el) {
    var left = el.getBoundingClientRect().left, right = left;
    el.querySelectorAll("svg, canvas, svg text, svg path, svg rect, svg line")
      .forEach(function (m) {
        var r = m.getBoundingClientRect();
        if (r.width > 0 || r.height > 0) right = Math.max(right, r.right);
      });
    return right - left;
  }

  // ------------------------------------------------------------------ drawing

  function available(el) {
    return Math.floor(el.clientWidth || el.getBoundingClientRect().width || 600);
  }

  function embed(vegaEmbed, el, spec, opts) {
    if (el.osaiResult) { try { el.osaiResult.finalize(); } catch (e) { /* already gone */ } }
    el.replaceChildren();
    return vegaEmbed(el, spec, opts).then(function (result) {
      el.osaiResult = result;
      return result;
    });
  }

  // Draw, then narrow the views by what still sticks out (text, axes) and draw again.
  function drawFitted(vegaEmbed, el, item, avail) {
    var spec = item[1], opts = item[2] || {}, alt = item[3];
    if (alt && alt.spec && avail < alt.below) {
      spec = Object.assign({}, alt.spec,
        { datasets: Object.assign({}, item[1].datasets || {}, alt.spec.datasets || {}) });
    }
    var attempt = 0;
    function once(shrink) {
      return embed(vegaEmbed, el, fitSpec(spec, avail, shrink), opts).then(function (result) {
        var over = Math.ceil(drawnWidth(el) - avail);
        if (over > 0 && attempt < 4) { attempt += 1; return once(shrink + over + 2); }
        return result;
      });
    }
    return once(0);
  }

  function draw(item) {
    var id = item[0];
    var el = document.getElementById(id);
    if (!el) return;
    var avail = available(el);
    loadVega()
      .then(function (vegaEmbed) {
        el.osaiItem = item;
        el.osaiWidth = avail;
        return drawFitted(vegaEmbed, el, item, avail);
      })
      .then(function (result) {
        el.setAttribute("data-osai-drawn", "true");
        el.osaiView = result.view;
        el.dispatchEvent(new CustomEvent("osai:drawn", { bubbles: true }));
      })
      .catch(function (err) { showError(el, err); });
  }

  // Redraw a chart whose element changed width (phone rotated, window resized, sidebar
  // opened): by a ResizeObserver where there is one, else on window resize.
  var resizeTimer = null;
  function redrawResized() {
    document.querySelectorAll(".osai-chart[data-osai-drawn='true']").forEach(function (el) {
      var avail = available(el);
      if (!el.osaiItem || Math.abs(avail - el.osaiWidth) < 8) return;
      el.osaiWidth = avail;
      el.removeAttribute("data-osai-drawn");
      drawFitted(window.vegaEmbed, el, el.osaiItem, avail).then(function (result) {
        el.setAttribute("data-osai-drawn", "true");
        el.osaiView = result.view;
        el.dispatchEvent(new CustomEvent("osai:drawn", { bubbles: true }));
      }).catch(function (err) { showError(el, err); });
    });
  }
  function scheduleRedraw() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(redrawResized, 200);
  }
  var observer = window.ResizeObserver ? new ResizeObserver(scheduleRedraw) : null;
  if (!observer) window.addEventListener("resize", scheduleRedraw);

  // Each chart cell comes after its element, so a chart is drawn as soon as its cell is
  // parsed: the vega bundle starts loading with the first chart, not after the whole
  // page and its deferred scripts.
  var queue = window.osaiCharts || [];
  window.osaiCharts = {
    push: function (item) {
      draw(item);
      var el = document.getElementById(item[0]);
      if (el && observer) observer.observe(el);
    },
  };
  queue.forEach(function (item) { window.osaiCharts.push(item); });
})();
