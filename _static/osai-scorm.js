/* osai-scorm.js: reports a chapter's quiz to a SCORM 1.2 runtime (the LMS), when there is one.
 *
 * Every page of the book loads this script; it does something only on the page an LMS
 * launched as a SCO of the package (`make scorm`): the manifest launches
 * chapters/<chapter>.html?sco=<chapter>, so a page reports when its URL says sco=<its own
 * name> AND a SCORM 1.2 API is found.  Anywhere else (the plain book, a page opened
 * without ?sco=, no LMS) it returns at once: the quiz keeps its answers in localStorage as
 * always, and nothing is logged.
 *
 * API discovery follows the SCORM 1.2 Run-Time Environment (3.3.6.1) and ADL's sample
 * APIWrapper: look for `API` in this window and its parents up to the top (at most 7 hops),
 * then in window.opener and its parents, then in top.opener's; every property read is
 * guarded, so a cross-origin frame on the way is skipped, not fatal.
 *
 * With an API: LMSInitialize("") as the page loads; the quiz (src/osai/quiz/quiz.js) asks
 * for its answers through the "osai-quiz-restore" event and gets the ones in
 * cmi.suspend_data (an empty set on a first launch: localStorage is not read, it may hold
 * another learner's answers on a shared computer); each "osai-quiz-change" is written as
 *   cmi.core.score.raw/min/max   round(100 * correct / total), 0, 100
 *   cmi.core.lesson_status       "incomplete" until every question is checked, then
 *                                "completed" (a formative quiz: the score says how well)
 *   cmi.interactions.n.*         one per checked question, in bank order: id
 *                                "<chapter>/<question id>", type, student_response,
 *                                result (correct|wrong), time (when it was checked)
 *   cmi.suspend_data             {"v":1,"a":{question id: answer}} (JSON; quiz.js's form)
 * then LMSCommit(""); answers stay out of localStorage.  On pagehide: cmi.core.session_time,
 * cmi.core.exit "suspend" (so the LMS keeps suspend_data for the next launch), LMSFinish("").
 *
 * Links to other pages of the book open in a new tab (the SCO stays on its chapter and
 * keeps its session; the new tab is the plain book).
 */
(function () {
  "use strict";

  var SUSPEND_LIMIT = 4096;  // SCORM 1.2: cmi.suspend_data is a CMIString4096
  var MAX_HOPS = 7;          // as ADL's SCORM 1.2 APIWrapper

  function own(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }

  function launchedSco() {
    var sco, page;
    try {
      sco = new URLSearchParams(window.location.search).get("sco");
      page = decodeURIComponent(window.location.pathname.split("/").pop() || "");
    } catch (e) {
      return null;
    }
    if (!sco || !/^[A-Za-z0-9][\w.-]*$/.test(sco)) return null;
    return page.replace(/\.html?$/, "") === sco ? sco : null;
  }

  function apiIn(win) {
    try {
      var api = win.API;
      return api && typeof api.LMSInitialize === "function" ? api : null;
    } catch (e) {
      return null;  // a cross-origin window
    }
  }

  function parentOf(win) {
    try {
      var p = win.parent;
      return p && p !== win ? p : null;
    } catch (e) {
      return null;
    }
  }

  function scan(win) {
    for (var hops = 0; win && hops <= MAX_HOPS; hops++) {
      var api = apiIn(win);
      if (api) return api;
      win = parentOf(win);
    }
    return null;
  }

  function openerOf(win) {
    try { return win && win.opener ? win.opener : null; } catch (e) { return null; }
  }

  function findAPI() {
    var api = scan(window) || scan(openerOf(window));
    if (!api) {
      var top = null;
      try { top = window.top; } catch (e) { top = null; }
      if (top && top !== window) api = scan(openerOf(top));
    }
    return api;
  }

  var sco = launchedSco();
  if (!sco) return;
  var api = findAPI();
  if (!api) return;
  var ok;
  try { ok = String(api.LMSInitialize("")) === "true"; } catch (e) { ok = false; }
  if (!ok) return;  // e.g. the LMS already has this SCO open elsewhere: behave as the book

  var started = Date.now();
  var finished = false;

  function get(name) {
    try { return String(api.LMSGetValue(name)); } catch (e) { return ""; }
  }
  function set(name, value) {
    try { return String(api.LMSSetValue(name, String(value))) === "true"; } catch (e) { return false; }
  }
  function commit() {
    try { api.LMSCommit(""); } catch (e) { /* the LMS reports its own errors */ }
  }

  function parseSuspend(text) {
    try {
      var data = JSON.parse(text);
      return data && data.v === 1 && data.a && typeof data.a === "object" && !Array.isArray(data.a)
        ? data.a : {};
    } catch (e) {
      return {};
    }
  }

  var restored = parseSuspend(get("cmi.suspend_data"));
  // the LMS holds these already: the quiz's first sync after restoring them is not news
  var lastSuspend = Object.keys(restored).length ? JSON.stringify({ v: 1, a: restored }) : null;
  var status = get("cmi.core.lesson_status");
  if (status === "not attempted" || status === "") {
    set("cmi.core.lesson_status", "incomplete");
    commit();
  }

  // ------------------------------------------------------------------ interactions

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(d) { return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()); }
  function timespan(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    var h = Math.min(9999, Math.floor(s / 3600));
    return pad(h) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }

  // type and learner response per question type (the contract osai quiz report reads)
  function describe(q, answer) {
    if (q.type === "single" || q.type === "scenario") return ["choice", String(answer)];
    if (q.type === "multiple") return ["choice", answer.slice().map(String).sort().join(",")];
    if (q.type === "numeric") return ["numeric", String(answer)];
    if (q.type === "ordering") {
      var order = q.items.map(function (it, i) { return { id: it.id, pos: Number(answer[it.id]), i: i }; });
      order.sort(function (a, b) { return a.pos - b.pos || a.i - b.i; });
      return ["sequencing", order.map(function (o) { return o.id; }).join(",")];
    }
    if (q.type === "matching") {
      return ["matching", q.left.map(function (l) { return l.id + "." + answer[l.id]; }).join(",")];
    }
    return null;
  }

  var written = [];  // what each interaction index holds now (JSON), to write only changes
  var checkedAt = {};  // question id -> [answer JSON, time of the check]

  function report(detail) {
    var bank = detail.bank, answers = detail.answers || {}, result = detail.result || {};
    var suspend = JSON.stringify({ v: 1, a: answers });
    if (suspend === lastSuspend) return;
    var now = new Date();
    var total = bank.questions.length;
    var checked = 0, n = 0;
    bank.questions.forEach(function (q) {
      if (!own(answers, q.id)) return;
      checked += 1;
      var key = JSON.stringify(answers[q.id]);
      if (!checkedAt[q.id] || checkedAt[q.id][0] !== key) {
        // an answer restored unchanged keeps the time the LMS has; a check made now gets one
        checkedAt[q.id] = [key, own(restored, q.id) && JSON.stringify(restored[q.id]) === key
          ? null : clock(now)];
      }
      var d = describe(q, answers[q.id]);
      if (!d) return;
      var fields = [["id", sco + "/" + q.id], ["type", d[0]], ["student_response", d[1]],
        ["result", result.correct && result.correct[q.id] ? "correct" : "wrong"]];
      if (checkedAt[q.id][1]) fields.push(["time", checkedAt[q.id][1]]);
      var json = JSON.stringify(fields);
      if (written[n] !== json) {
        fields.forEach(function (f) { set("cmi.interactions." + n + "." + f[0], f[1]); });
        written[n] = json;
      }
      n += 1;
    });
    var score = total ? Math.round(100 * (result.score || 0) / total) : 0;
    set("cmi.core.score.min", 0);
    set("cmi.core.score.max", 100);
    set("cmi.core.score.raw", score);
    set("cmi.core.lesson_status", total && checked === total ? "completed" : "incomplete");
    if (suspend.length <= SUSPEND_LIMIT) set("cmi.suspend_data", suspend);
    lastSuspend = suspend;
    commit();
  }

  window.addEventListener("osai-quiz-restore", function (event) {
    var d = event.detail;
    if (finished || !d || d.chapter !== sco) return;
    d.answers = JSON.parse(JSON.stringify(restored));
    d.keptBy = "Your answers and score go to your course's learning platform (LMS), " +
      "which keeps them for your next visit; Reset clears them.";
  });

  window.addEventListener("osai-quiz-change", function (event) {
    var d = event.detail;
    if (finished || !d || d.chapter !== sco || !d.bank) return;
    event.preventDefault();
    report(d);
  });

  function finish() {
    if (finished) return;
    finished = true;
    set("cmi.core.session_time", timespan(Date.now() - started));
    set("cmi.core.exit", "suspend");
    commit();
    try { api.LMSFinish(""); } catch (e) { /* nothing more to do */ }
  }
  window.addEventListener("pagehide", finish);  // also fires where unload would, without blocking the back/forward cache

  // ------------------------------------------------------------------ links

  function keepSco() {
    var here = window.location;
    var note = document.createElement("span");
    note.id = "osai-scorm-newtab";
    note.className = "visually-hidden";
    note.textContent = "(opens in a new tab)";
    document.body.appendChild(note);
    [].forEach.call(document.querySelectorAll("a[href]"), function (a) {
      var url;
      try { url = new URL(a.getAttribute("href"), here.href); } catch (e) { return; }
      if (url.origin !== here.origin) return;
      if (url.pathname === here.pathname) {
        // the same chapter: keep ?sco= so the page stays the SCO
        if (url.search !== here.search) { url.search = here.search; a.setAttribute("href", url.href); }
        return;
      }
      a.target = "_blank";
      a.rel = (a.rel ? a.rel + " " : "") + "noopener";
      var by = a.getAttribute("aria-describedby");
      a.setAttribute("aria-describedby", (by ? by + " " : "") + note.id);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", keepSco);
  else keepSco();
})();
