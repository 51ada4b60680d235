/* osai-book.js: the course's own page script (not a vendored library).
 *
 * Charts: every chart is in the page as pictures drawn at build (osai.book.chart_pictures:
 * a narrow and a wide SVG, chosen by a container query, and a copy of its controls), so it
 * is seen with no script.  Chapter cells queue [id, spec, options, narrow] in
 * window.osaiCharts; this script loads the vega bundle the book serves itself
 * (vendor/vega) only when a reader reaches for a chart (pointer, touch, focus, a control)
 * or when the browser is idle with a chart in view, then draws the live chart to fit the
 * width its element has, and puts it in the picture's place:
 *   - a single or layered view fills the element (autosize "fit-x");
 *   - in a concatenation, every view with a fixed width is narrowed until the drawing fits;
 *   - below NARROW px, legends go under the chart and long titles wrap;
 *   - a figure may carry a second spec for narrow screens (`narrow`, with the width below
 *     which it is used): charts laid out by pixel positions change layout there.
 * Vega measures the text with the reader's own fonts.  A live chart is redrawn when its
 * element changes width (phone rotated, window resized).  Every URL is computed from this
 * script's own address, so pages work at any depth and under any sub-path.
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

  // ------------------------------------------------------------------ fitting a spec

  function clone(x) { return JSON.parse(JSON.stringify(x)); }

  function isConcat(s) { return !!(s.vconcat || s.hconcat || s.concat); }

  // Text widths measured in the reader's own font, as Vega will draw it.
  var measurer = null;
  function textWidth(text, fontSize, bold) {
    if (!measurer) measurer = document.createElement("canvas").getContext("2d");
    if (!measurer) return text.length * fontSize * 0.64;
    measurer.font = (bold ? "bold " : "") + fontSize + "px sans-serif";
    return measurer.measureText(text).width;
  }

  function wrap(text, fontSize, avail, bold) {
    if (Array.isArray(text)) text = text.join(" ");
    if (typeof text !== "string") return text;
    if (bold === undefined) bold = true;
    if (textWidth(text, fontSize, bold) <= avail) return text;
    var lines = [], line = "";
    text.split(/\s+/).forEach(function (word) {
      var trial = line ? line + " " + word : word;
      if (line && textWidth(trial, fontSize, bold) > avail) { lines.push(line); line = word; }
      else line = trial;
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
    if (t.subtitle !== undefined) t.subtitle = wrap(t.subtitle, t.subtitleFontSize || 12, avail, false);
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
      // an x title centred under the plot (at least half the width) stays inside the chart
      if (typeof e.title === "string") e.title = wrap(e.title, 11, ch === "x" ? avail * 0.5 : 240);
      // category names across a narrow plot stand upright, so they never run together
      if (ch === "x" && e.axis !== null && /^(nominal|ordinal)$/.test(e.type || "") &&
          !(e.axis || {}).labelAngle) {
        e.axis = Object.assign({}, e.axis || {}, { labelAngle: -90, labelLimit: 120 });
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
        columns: Math.max(1, Math.floor((avail - 90) / 150)),
        titleLimit: avail - 40,
      });
    });
  }

  // A Vega expression: the label in lines of at most `chars` characters, broken at spaces
  // (osai.charts.wrap_label).
  function wrapLabel(chars) {
    return "split(replace(replace(datum.label, regexp('(.{1," + chars + "})(\\\\s+|$)', 'g'), " +
      "'$1|'), regexp('\\\\|$'), ''), '|')";
  }
  var CHAR = 6.5;  // px per character of a 10 px label, in a wide font
  // how many characters of a label fit in `limit` px (osai.book.chart_pictures._chars)
  function chars(limit, size, weight) {
    return Math.max(6, Math.floor(limit / (CHAR * (size || 10) / 10 *
      (weight === "bold" ? 1.1 : 1))));
  }

  // Category names on a y axis and in legends wrap within their label limit rather than
  // end in an ellipsis (long names take height, not the plot's width); on a phone the
  // limit is a share of the width.
  function wrapLabels(view, avail, narrow) {
    var enc = view.encoding;
    if (!enc) return;
    var discrete = function (e) { return /^(nominal|ordinal)$/.test(e.type || ""); };
    LEGEND_CHANNELS.forEach(function (ch) {
      var e = enc[ch];
      if (!e || typeof e !== "object" || e.legend === null || !(e.field || e.aggregate) ||
          !discrete(e)) return;
      var legend = e.legend || {};
      var limit = narrow ? 130 : (legend.labelLimit || 160);
      e.legend = Object.assign({ labelExpr: wrapLabel(chars(limit, legend.labelFontSize)) },
        legend,
        { labelLimit: limit });
    });
    var y = enc.y;
    if (y && typeof y === "object" && y.axis !== null && discrete(y)) {
      var axis = y.axis || {};
      var limit = axis.labelLimit || 180;
      if (narrow) limit = Math.min(limit, Math.floor(avail * 0.4));
      y.axis = Object.assign(
        { labelExpr: wrapLabel(chars(limit, axis.labelFontSize, axis.labelFontWeight)) }, axis,
        { labelLimit: limit });
    }
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
      wrapLabels(v, avail, narrow);
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
    var attempt = 0, best = null;
    function once(shrink) {
      return embed(vegaEmbed, el, fitSpec(spec, avail, shrink), opts).then(function (result) {
        var over = Math.ceil(drawnWidth(el) - avail);
        // narrowing cannot move marks placed by pixels: keep the best drawing so far
        if (best && over >= best.over) {
          return best.shrink === shrink ? result : once(best.shrink);
        }
        best = { over: over, shrink: shrink };
        if (over > 0 && attempt < 4) { attempt += 1; return once(shrink + over + 2); }
        return result;
      });
    }
    return once(0);
  }

  // ------------------------------------------------------------------ picture to live chart
  //
  // The page holds each chart as pictures drawn at build (osai.book.chart_pictures) and a
  // copy of its controls.  The live chart is drawn when a reader reaches for the chart (a
  // pointer over it, a touch, a focus, a control changed) or when the browser is idle with
  // the chart in view.  It is drawn hidden over the picture, then takes its place: in a box
  // the picture's size when it fits there, so nothing below moves; a live chart taller than
  // its picture waits for the reader's next touch, click or key on it.

  var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 200); };

  function previewValues(el) {
    var params = {}, item = el.osaiItem;
    [item[1]].forEach(function (spec) {
      eachView(spec, function (v) {
        (v.params || []).forEach(function (p) { if (p.bind && p.bind.input) params[p.name] = p; });
      });
    });
    var out = [];
    el.querySelectorAll(".osai-preview-controls [name]").forEach(function (input) {
      var p = params[input.name];
      if (!p || !input.osaiChanged) return;
      var value;
      if (input.type === "checkbox") value = input.checked;
      else if (input.tagName === "SELECT") value = (p.bind.options || [])[input.selectedIndex];
      else if (input.type === "range" || input.type === "number") value = Number(input.value);
      else value = input.value;
      out.push([input.name, value === undefined ? null : value]);
    });
    return out;
  }

  function swap(el, live, result) {
    var picture = el.getBoundingClientRect().height;
    var focused = document.activeElement;
    var focusName = focused && el.contains(focused) && focused.name;
    var values = previewValues(el);
    if (live.getBoundingClientRect().height <= picture + 0.5) {
      el.style.minHeight = picture + "px";
    }
    el.querySelectorAll(".osai-picture, .osai-preview-controls").forEach(function (n) {
      n.remove();
    });
    live.classList.remove("osai-live-pending");
    el.setAttribute("data-osai-drawn", "true");
    el.osaiView = result.view;
    values.forEach(function (nv) { result.view.signal(nv[0], nv[1]); });
    var done = values.length ? result.view.runAsync() : Promise.resolve();
    if (focusName) {
      var twin = live.querySelector('[name="' + focusName + '"]');
      if (twin) twin.focus();
    }
    return done.then(function () {
      el.dispatchEvent(new CustomEvent("osai:drawn", { bubbles: true }));
    });
  }

  function goLive(el) {
    if (el.osaiLive) return el.osaiLive;
    var item = el.osaiItem;
    var live = document.createElement("div");
    live.className = "osai-live osai-live-pending";
    el.osaiLiveEl = live;
    el.osaiLive = loadVega()
      .then(function (vegaEmbed) {
        el.appendChild(live);
        var avail = available(el);
        el.osaiWidth = avail;
        return drawFitted(vegaEmbed, live, item, avail);
      })
      .then(function (result) {
        var fits = live.getBoundingClientRect().height <= el.getBoundingClientRect().height + 0.5;
        if (fits || el.osaiReached) return swap(el, live, result);
        // taller than the picture: take its place at the reader's next input on it
        return new Promise(function (resolve) {
          el.osaiOnInput = function () { el.osaiOnInput = null; resolve(swap(el, live, result)); };
        });
      })
      .catch(function (err) {
        live.remove();
        el.removeAttribute("data-osai-drawn");
        el.setAttribute("data-osai-error", String(err));
        console.error(err);
      });
    return el.osaiLive;
  }

  // a discrete input (pointer down, key) on the chart: the moment a taller live chart may
  // take the picture's place, as the reader asked for it
  function reached(event) {
    var el = event.currentTarget;
    if (event.type === "pointerdown" || event.type === "keydown" || event.type === "change" ||
        event.type === "input") {
      el.osaiReached = true;
      if (event.target && event.target.closest && event.target.closest(".osai-preview-controls")) {
        event.target.osaiChanged = event.type === "change" || event.type === "input" ||
          event.target.osaiChanged;
      }
      if (el.osaiOnInput) el.osaiOnInput();
    }
    goLive(el);
  }

  var seen = window.IntersectionObserver ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      seen.unobserve(entry.target);
      idle(function () { goLive(entry.target); }, { timeout: 3000 });
    });
  }, { rootMargin: "100px" }) : null;

  function register(item) {
    var el = document.getElementById(item[0]);
    if (!el || el.osaiItem) return;
    el.osaiItem = item;
    ["pointerover", "pointerdown", "touchstart", "focusin", "keydown", "input", "change"]
      .forEach(function (type) { el.addEventListener(type, reached, { passive: true }); });
    if (seen) seen.observe(el);
    else idle(function () { goLive(el); });
    if (observer) observer.observe(el);
  }

  // Redraw a live chart whose element changed width (phone rotated, window resized,
  // sidebar opened): by a ResizeObserver where there is one, else on window resize.
  var resizeTimer = null;
  function redrawResized() {
    document.querySelectorAll(".osai-chart[data-osai-drawn='true']").forEach(function (el) {
      var avail = available(el);
      if (!el.osaiLiveEl || Math.abs(avail - el.osaiWidth) < 8) return;
      el.osaiWidth = avail;
      el.style.minHeight = "";
      drawFitted(window.vegaEmbed, el.osaiLiveEl, el.osaiItem, avail).then(function (result) {
        el.osaiView = result.view;
        el.dispatchEvent(new CustomEvent("osai:drawn", { bubbles: true }));
      }).catch(function (err) { el.setAttribute("data-osai-error", String(err)); });
    });
  }
  function scheduleRedraw() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(redrawResized, 200);
  }
  var observer = window.ResizeObserver ? new ResizeObserver(scheduleRedraw) : null;
  if (!observer) window.addEventListener("resize", scheduleRedraw);

  // Each chart cell comes after its element (holding its pictures): the chart is
  // registered as soon as its cell is parsed.
  var queue = window.osaiCharts || [];
  window.osaiCharts = { push: register };
  // every chart live now (tests, and a reader's "draw all" if one is ever offered)
  window.osaiDrawAll = function () {
    return Promise.all([].map.call(document.querySelectorAll(".osai-chart"), function (el) {
      if (!el.osaiItem) return null;
      el.osaiReached = true;
      if (el.osaiOnInput) el.osaiOnInput();
      return goLive(el);
    }));
  };
  queue.forEach(register);
})();
