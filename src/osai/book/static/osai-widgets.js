/* osai-widgets.js: shows the widgets a built page embeds, without a kernel.
 *
 * myst-nb writes the widgets' saved state in a <script type="application/vnd.jupyter.
 * widget-state+json"> and one <script type="application/vnd.jupyter.widget-view+json">
 * where each widget goes.  When every widget shown is an anywidget (the course's quiz),
 * this script draws it itself: it imports the widget's ES module (`_esm`, carried in the
 * state), adds its `_css`, and calls its `render({model, el})` with a small model that
 * keeps values in the page (get/set/on/off/save_changes).  Only a page that shows other
 * Jupyter widgets loads the full widget manager (vendor/html-manager, 3.6 MB), as before.
 * A page with no widget state does nothing.
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var root = new URL("../", me ? me.src : document.baseURI).href;
  var vendor = root + "vendor/";
  var STATE = 'script[type="application/vnd.jupyter.widget-state+json"]';
  var VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]';

  function readJSON(el) {
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  // The full widget manager, for pages with widgets this script cannot draw.  A page with
  // charts loads the vega bundle first (osai-book.js): vega must not run under RequireJS.
  function loadManager() {
    var charts = document.querySelector(".osai-chart") && window.osaiLoadVega;
    return Promise.resolve(charts ? window.osaiLoadVega().catch(function () {}) : null)
      .then(function () { return loadScript(vendor + "require-config.js"); })
      .then(function () { return loadScript(vendor + "require.js"); })
      .then(function () { return loadScript(vendor + "html-manager/embed-amd.js"); });
  }

  function isAnywidget(model) {
    return !!model && model.model_module === "anywidget" &&
      typeof (model.state || {})._esm === "string";
  }

  // A model with the part of the anywidget API a view uses; values live in the page.
  function pageModel(values) {
    var handlers = {};
    return {
      get: function (key) { return values[key]; },
      set: function (key, value) {
        var old = values[key];
        values[key] = value;
        if (old !== value) {
          (handlers["change:" + key] || []).slice().forEach(function (fn) {
            fn({ name: key, old: old, new: value });
          });
        }
      },
      on: function (event, fn) { (handlers[event] = handlers[event] || []).push(fn); },
      off: function (event, fn) {
        if (!event) { handlers = {}; return; }
        handlers[event] = (handlers[event] || []).filter(function (f) { return fn && f !== fn; });
      },
      save_changes: function () {},
      send: function () {},
    };
  }

  var modules = {};
  function importModule(source) {
    if (!modules[source]) {
      var url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      modules[source] = import(url).finally(function () { URL.revokeObjectURL(url); });
    }
    return modules[source];
  }

  var styles = {};
  function addCss(css) {
    if (!css || styles[css]) return;
    styles[css] = true;
    var style = document.createElement("style");
    style.textContent = css;
    document.head.appendChild(style);
  }

  function renderOne(model, script) {
    var el = document.createElement("div");
    el.className = "osai-widget";
    script.parentNode.insertBefore(el, script);
    addCss(model.state._css);
    return importModule(model.state._esm).then(function (mod) {
      var def = mod.default || mod;
      return Promise.resolve(typeof def === "function" ? def() : def).then(function (widget) {
        widget = widget || {};
        var m = pageModel(Object.assign({}, model.state));
        var init = widget.initialize ? widget.initialize({ model: m }) : null;
        return Promise.resolve(init).then(function () {
          var render = widget.render || mod.render;
          if (typeof render !== "function") throw new Error("the widget module has no render()");
          return render({ model: m, el: el });
        });
      });
    }).catch(function (err) {
      el.textContent = "This widget could not be shown: " + err;
      console.error(err);
    });
  }

  function start() {
    var stateEl = document.querySelector(STATE);
    if (!stateEl) return;
    var saved = readJSON(stateEl);
    var state = (saved && saved.state) || {};
    var views = [].slice.call(document.querySelectorAll(VIEW)).map(function (script) {
      var view = readJSON(script);
      return { script: script, model: view && state[view.model_id] };
    });
    if (!views.length) return;
    if (!views.every(function (v) { return isAnywidget(v.model); })) {
      loadManager().catch(function (err) { console.error(err); });
      return;
    }
    views.forEach(function (v) { renderOne(v.model, v.script); });
  }

  // Start once the page is parsed and every other script of the page has run (osai-book.js
  // defines osaiLoadVega): a deferred script runs while readyState is already "interactive"
  // but before DOMContentLoaded, so it waits for that event too.
  var deferred = !!(me && me.defer);
  if (document.readyState === "loading" || (deferred && document.readyState === "interactive")) {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
