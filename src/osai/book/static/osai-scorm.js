/* osai-scorm.js: reports a chapter's quiz to the LMS's SCORM runtime (SCORM 1.2 or SCORM 2004
 * 4th Edition), when there is one.
 *
 * Every page of the book loads this script; it does something only on the page an LMS
 * launched as a SCO of a package (`make scorm`): the SCORM 1.2 manifest launches
 * chapters/<chapter>.html?sco=<chapter>, the SCORM 2004 one ...?sco=<chapter>&scorm=2004,
 * so a page reports when its URL says sco=<its own name> AND a runtime is found.  Anywhere
 * else (the plain book, a page opened without ?sco=, no LMS) it returns at once: the quiz
 * keeps its answers in localStorage as always, and nothing is logged.
 *
 * API discovery follows each version's Run-Time Environment (1.2: 3.3.6.1) and ADL's
 * sample wrappers: look for the API object in this window and its parents up to
 * the top, then in window.opener and its parents, then in top.opener's; every property
 * read is guarded, so a cross-origin frame on the way is skipped, not fatal.  With
 * scorm=2004 in the URL the page looks for SCORM 2004's `API_1484_11` first and falls back
 * to SCORM 1.2's `API` (an LMS that plays the 2004 package with a 1.2 runtime); without it,
 * only for `API`.
 *
 * With an API: Initialize as the page loads; the quiz (src/osai/quiz/quiz.js) asks for its
 * answers through the "osai-quiz-restore" event and gets the ones in cmi.suspend_data (an
 * empty set on a first launch or a new attempt: localStorage is not read, it may hold
 * another learner's answers on a shared computer); each "osai-quiz-change" is written as
 *                      SCORM 1.2                       SCORM 2004
 *   score              cmi.core.score.raw/min/max      cmi.score.raw/min/max, and
 *                      round(100 * correct / total),   cmi.score.scaled = correct / total
 *                      0, 100                          (7 decimals)
 *   status             cmi.core.lesson_status          cmi.completion_status
 *                      "incomplete" until every question is checked, then "completed"; a
 *                      formative quiz: no passed/failed (2004's cmi.success_status is left
 *                      "unknown"), the score says how well
 *   interactions.n     id "<chapter>/<question id>", type, in bank order, one per checked question
 *                      student_response, result        learner_response, result
 *                      correct|wrong, time hh:mm:ss    correct|incorrect, timestamp (UTC)
 *                      lists "a,c", pairs "l1.r2"      lists "a[,]c", pairs "l1[.]r2"
 *   cmi.suspend_data   {"v":1,"a":{question id: answer}} (JSON; quiz.js's form), if it fits
 *                      (4096 characters)               (64000 characters)
 * then Commit; answers stay out of localStorage.  On pagehide: the session time (1.2
 * hhhh:mm:ss, 2004 ISO 8601 duration), exit "suspend" (so the LMS keeps suspend_data and
 * resumes the next launch), Commit, then LMSFinish/Terminate.
 *
 * Links to other pages of the book open in a new tab (the SCO stays on its chapter and
 * keeps its session; the new tab is the plain book).
 */
(function () {
  "use strict";

  // what differs between the versions: API object, calls, data model names and formats
  var SCORM12 = {
    api: "API", hops: 7,  // as ADL's SCORM 1.2 APIWrapper
    init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit",
    finish: "LMSFinish", status: "cmi.core.lesson_status", score: "cmi.core.score.",
    exit: "cmi.core.exit", session: "cmi.core.session_time", response: "student_response",
    wrong: "wrong", time: "time", list: ",", pair: ".",
    limit: 4096  // cmi.suspend_data is a CMIString4096
  };
  var SCORM2004 = {
    api: "API_1484_11", hops: 500,  // as ADL's SCORM 2004 sample wrapper
    init: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit",
    finish: "Terminate", status: "cmi.completion_status", score: "cmi.score.",
    exit: "cmi.exit", session: "cmi.session_time", response: "learner_response",
    wrong: "incorrect", time: "timestamp", list: "[,]", pair: "[.]",
    limit: 64000  // characterstring (SPM 64000)
  };

  function own(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }

  function launchedSco() {
    var params, sco, page;
    try {
      params = new URLSearchParams(window.location.search);
      sco = params.get("sco");
      page = decodeURIComponent(window.location.pathname.split("/").pop() || "");
    } catch (e) {
      return null;
    }
    if (!sco || !/^[A-Za-z0-9][\w.-]*$/.test(sco)) return null;
    if (page.replace(/\.html?$/, "") !== sco) return null;
    return { sco: sco, versions: params.get("scorm") === "2004" ? [SCORM2004, SCORM12] : [SCORM12] };
  }

  function apiIn(win, v) {
    try {
      var api = win[v.api];
      return api && typeof api[v.init] === "function" ? api : null;
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

  function scan(win, v) {
    for (var hops = 0; win && hops <= v.hops; hops++) {
      var api = apiIn(win, v);
      if (api) return api;
      win = parentOf(win);
    }
    return null;
  }

  function openerOf(win) {
    try { return win && win.opener ? win.opener : null; } catch (e) { return null; }
  }

  function findAPI(v) {
    var api = scan(window, v) || scan(openerOf(window), v);
    if (!api) {
      var top = null;
      try { top = window.top; } catch (e) { top = null; }
      if (top && top !== window) api = scan(openerOf(top), v);
    }
    return api;
  }

  var launch = launchedSco();
  if (!launch) return;
  var sco = launch.sco, api = null, V = null;
  for (var i = 0; i < launch.versions.length && !api; i++) {
    V = launch.versions[i];
    api = findAPI(V);
  }
  if (!api) return;
  var ok;
  try { ok = String(api[V.init]("")) === "true"; } catch (e) { ok = false; }
  if (!ok) return;  // e.g. the LMS already has this SCO open elsewhere: behave as the book

  var started = Date.now();
  var finished = false;

  function get(name) {
    try { return String(api[V.get](name)); } catch (e) { return ""; }
  }
  function set(name, value) {
    try { return String(api[V.set](name, String(value))) === "true"; } catch (e) { return false; }
  }
  function commit() {
    try { api[V.commit](""); } catch (e) { /* the LMS reports its own errors */ }
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
  var status = get(V.status);
  if (status === "not attempted" || status === "unknown" || status === "") {
    set(V.status, "incomplete");
    commit();
  }

  // ------------------------------------------------------------------ interactions

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(d) { return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()); }
  function stamp(d) { return V === SCORM12 ? clock(d) : d.toISOString(); }  // 2004: UTC, "Z"
  function timespan(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    if (V !== SCORM12) return "PT" + h + "H" + m + "M" + (s % 60) + "S";  // ISO 8601 duration
    return pad(Math.min(9999, h)) + ":" + pad(m) + ":" + pad(s % 60);
  }

  // type and learner response per question type (the contract osai quiz report reads)
  function describe(q, answer) {
    if (q.type === "single" || q.type === "scenario") return ["choice", String(answer)];
    if (q.type === "multiple") return ["choice", answer.slice().map(String).sort().join(V.list)];
    if (q.type === "numeric") return ["numeric", String(answer)];
    if (q.type === "ordering") {
      var order = q.items.map(function (it, i) { return { id: it.id, pos: Number(answer[it.id]), i: i }; });
      order.sort(function (a, b) { return a.pos - b.pos || a.i - b.i; });
      return ["sequencing", order.map(function (o) { return o.id; }).join(V.list)];
    }
    if (q.type === "matching") {
      return ["matching", q.left.map(function (l) { return l.id + V.pair + answer[l.id]; }).join(V.list)];
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
          ? null : stamp(now)];
      }
      var d = describe(q, answers[q.id]);
      if (!d) return;
      var fields = [["id", sco + "/" + q.id], ["type", d[0]], [V.response, d[1]],
        ["result", result.correct && result.correct[q.id] ? "correct" : V.wrong]];
      if (checkedAt[q.id][1]) fields.push([V.time, checkedAt[q.id][1]]);
      var json = JSON.stringify(fields);
      if (written[n] !== json) {
        fields.forEach(function (f) { set("cmi.interactions." + n + "." + f[0], f[1]); });
        written[n] = json;
      }
      n += 1;
    });
    var share = total ? (result.score || 0) / total : 0;
    set(V.score + "min", 0);
    set(V.score + "max", 100);
    set(V.score + "raw", Math.round(100 * share));
    if (V !== SCORM12) set("cmi.score.scaled", Math.round(1e7 * share) / 1e7);
    set(V.status, total && checked === total ? "completed" : "incomplete");
    if (suspend.length <= V.limit) set("cmi.suspend_data", suspend);
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
    set(V.session, timespan(Date.now() - started));
    set(V.exit, "suspend");
    commit();
    try { api[V.finish](""); } catch (e) { /* nothing more to do */ }
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
