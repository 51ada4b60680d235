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
 *   interactions.n     one per BASE question (its variants share it), id "<chapter>/<base id>";
 *                      n is fixed at the question's first check (the next free index) and
 *                      kept across sessions in suspend_data's "i"; a re-check rewrites that
 *                      index's response and result, never its id
 *                      student_response, result        learner_response, result
 *                      correct|wrong, time hh:mm:ss    correct|incorrect, timestamp (UTC,
 *                                                      2 fractional digits), description =
 *                                                      the variant answered, if one
 *                      lists "a,c", pairs "l1.r2"      lists "a[,]c", pairs "l1[.]r2"; ids
 *                                                      with "-" as "_" and numbers as
 *                                                      -d{1,5}.d{1,18} (what Moodle's 2004
 *                                                      player accepts: mod/scorm/datamodels/
 *                                                      scorm_13.js), none past 99999
 *   cmi.suspend_data   {"v":1,"a":{question id: answer},"i":{base id: n}} (JSON), if it fits
 *                      (4096 characters)               (64000 characters)
 *                      suspend_data without "i" (written before it) resumes: its interactions
 *                      were numbered by answered question in bank order; in 2004 the ids
 *                      the LMS holds win over "i"
 * An answer of the wrong shape (a string for a multiple, null, objects ...) writes no
 * interaction and throws nothing.  Every SetValue is checked: a refused id (2004 ids are
 * write-once, error 351) moves the record to the next free index; refusals are kept in
 * window.osaiScorm.problems().
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
    finish: "LMSFinish", error: "LMSGetLastError", status: "cmi.core.lesson_status", score: "cmi.core.score.",
    exit: "cmi.core.exit", session: "cmi.core.session_time", response: "student_response",
    wrong: "wrong", time: "time", list: ",", pair: ".",
    limit: 4096  // cmi.suspend_data is a CMIString4096
  };
  var SCORM2004 = {
    api: "API_1484_11", hops: 500,  // as ADL's SCORM 2004 sample wrapper
    init: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit",
    finish: "Terminate", error: "GetLastError", status: "cmi.completion_status", score: "cmi.score.",
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
  function commit() {
    try { api[V.commit](""); } catch (e) { /* the LMS reports its own errors */ }
  }

  var problems = [];  // SetValue calls the LMS refused: [element, value, error code]
  function set(name, value) {
    var ok;
    try { ok = String(api[V.set](name, String(value))) === "true"; } catch (e) { ok = false; }
    if (!ok) {
      var code = "";
      try { code = String(api[V.error]()); } catch (e) { code = "?"; }
      if (problems.length < 100) problems.push([name, String(value), code]);
    }
    return ok;
  }
  // what the LMS refused, for whoever debugs a course (read-only copy)
  window.osaiScorm = { problems: function () { return JSON.parse(JSON.stringify(problems)); } };

  function plainObject(x) { return !!x && typeof x === "object" && !Array.isArray(x); }
  function indexOf(x) { return typeof x === "number" && x >= 0 && x % 1 === 0 && x < 1e6; }

  // suspend_data: {"v":1,"a":{question id: answer},"i":{base question id: interaction index}};
  // "i" is new: suspend_data written before it (no "i") still resumes
  function parseSuspend(text) {
    var out = { a: {}, i: {} };
    var data;
    try { data = JSON.parse(text); } catch (e) { return out; }
    if (!plainObject(data) || data.v !== 1 || !plainObject(data.a)) return out;
    out.a = data.a;
    if (plainObject(data.i)) {
      var seen = {};
      Object.keys(data.i).forEach(function (k) {
        var n = data.i[k];
        if (/^[a-z0-9-]{1,250}$/.test(k) && indexOf(n) && !own(seen, n)) { out.i[k] = n; seen[n] = true; }
      });
    }
    return out;
  }

  var stored = parseSuspend(get("cmi.suspend_data"));
  var restored = stored.a;
  var index = stored.i;  // base question id -> its interaction index, fixed at its first check
  var hadIndex = Object.keys(index).length > 0;
  // the LMS's own record wins where it can be read (SCORM 2004; 1.2's ids are write-only)
  var lmsCount = Number(get("cmi.interactions._count")) || 0;
  for (var k = 0; V !== SCORM12 && k < lmsCount && k < 1000; k++) {
    var idText = get("cmi.interactions." + k + ".id");
    if (idText.indexOf(sco + "/") !== 0) continue;
    var base = idText.slice(sco.length + 1);
    if (!/^[a-z0-9-]{1,250}$/.test(base)) continue;
    Object.keys(index).forEach(function (b) { if (index[b] === k && b !== base) delete index[b]; });
    index[base] = k;
    hadIndex = true;
  }
  // the LMS holds these already: the quiz's first sync after restoring them is not news
  var lastAnswers = Object.keys(restored).length ? JSON.stringify(restored) : null;
  var status = get(V.status);
  if (status === "not attempted" || status === "unknown" || status === "") {
    set(V.status, "incomplete");
    commit();
  }

  // ------------------------------------------------------------------ interactions

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(d) { return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()); }
  // 2004: UTC with at most 2 fractional digits and a year 1970-2038 (Moodle's CMITime)
  function stamp(d) {
    if (V === SCORM12) return clock(d);
    var iso = d.toISOString();
    if (!/^(19[7-9]\d|20[0-2]\d|203[0-8])-/.test(iso)) return null;
    return iso.replace(/\.(\d\d)\d*Z$/, ".$1Z");
  }
  function timespan(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    if (V !== SCORM12) return "PT" + h + "H" + m + "M" + (s % 60) + "S";  // ISO 8601 duration
    return pad(Math.min(9999, h)) + ":" + pad(m) + ":" + pad(s % 60);
  }

  // An id in a 2004 response: Moodle's player takes only [A-Za-z0-9_.] there (its
  // CMIShortIdentifier), and bank ids are [a-z0-9-]: "-" becomes "_" (ids never hold "_",
  // so the class report maps it back).  1.2 writes ids as they are.
  var SAFE_ID = /^[a-z0-9-]{1,250}$/;
  function token(id) {
    if (typeof id !== "string" || !SAFE_ID.test(id)) throw new Error("bad id");
    return V === SCORM12 ? id : id.replace(/-/g, "_");
  }
  // a number as SCORM 2004's real(10,7) Moodle accepts: -?d{1,5}(.d{1,18})?
  var DECIMAL = /^-?[0-9]{1,5}(\.[0-9]{1,18})?$/;
  function numberText(x) {
    if (typeof x !== "number" || !isFinite(x)) throw new Error("bad number");
    var text = String(x);
    if (V === SCORM12 || DECIMAL.test(text)) return text;
    if (Math.abs(x) >= 1e5) return null;  // no such decimal: the response is left out
    text = x.toFixed(18).replace(/0+$/, "").replace(/\.$/, "");
    return text === "-0" ? "0" : text;
  }
  function mapped(obj, ids, each) {
    if (!plainObject(obj)) throw new Error("bad answer");
    return ids.map(function (id) {
      if (!own(obj, id)) throw new Error("bad answer");
      return each(id, obj[id]);
    });
  }

  // type and learner response per question type (the contract osai quiz report reads);
  // throws on an answer of the wrong shape (the caller skips that question)
  function describe(q, answer) {
    if (q.type === "single" || q.type === "scenario") return ["choice", token(answer)];
    if (q.type === "multiple") {
      if (!Array.isArray(answer) || !answer.length) throw new Error("bad answer");
      var ids = answer.map(token).sort().filter(function (x, i, all) { return !i || all[i - 1] !== x; });
      return ["choice", ids.join(V.list)];
    }
    if (q.type === "numeric") return ["numeric", numberText(answer)];
    if (q.type === "ordering") {
      var order = mapped(answer, q.items.map(function (it) { return it.id; }), function (id, pos) {
        if (typeof pos !== "number" || !isFinite(pos)) throw new Error("bad answer");
        return { id: id, pos: pos };
      });
      order.forEach(function (o, i) { o.i = i; });
      order.sort(function (a, b) { return a.pos - b.pos || a.i - b.i; });
      return ["sequencing", order.map(function (o) { return token(o.id); }).join(V.list)];
    }
    if (q.type === "matching") {
      return ["matching", mapped(answer, q.left.map(function (l) { return l.id; }), function (id, r) {
        return token(id) + V.pair + token(r);
      }).join(V.list)];
    }
    throw new Error("unknown type");
  }

  // the question shown for a base question: itself or the variant whose answer is kept
  function answered(q, answers) {
    var all = [q].concat(Array.isArray(q.variants) ? q.variants : []);
    for (var j = 0; j < all.length; j++) {
      if (all[j] && own(answers, all[j].id)) return all[j];
    }
    return null;
  }

  function nextIndex() {
    var n = Math.max(lmsCount, 0);
    Object.keys(index).forEach(function (b) { n = Math.max(n, index[b] + 1); });
    return n;
  }

  var written = {};  // interaction index -> the fields last written there (JSON)
  var checkedAt = {};  // question id -> [answer JSON, time of the check]

  function writeInteraction(q, shown, answer, result, now) {
    var d;
    try { d = describe(shown, answer); } catch (e) { return false; }  // a malformed answer
    var key = JSON.stringify(answer);
    if (!checkedAt[q.id] || checkedAt[q.id][0] !== key) {
      // an answer restored unchanged keeps the time the LMS has; a check made now gets one
      checkedAt[q.id] = [key, own(restored, shown.id) && JSON.stringify(restored[shown.id]) === key
        ? null : stamp(now)];
    }
    var fields = [["id", sco + "/" + q.id], ["type", d[0]]];
    if (d[1] !== null) fields.push([V.response, d[1]]);
    // quiz.js's verdict, under the id answered (the variant's), else the base question's
    var verdict = plainObject(result.correct)
      ? (own(result.correct, shown.id) ? result.correct[shown.id] : result.correct[q.id]) : false;
    fields.push(["result", verdict === true ? "correct" : V.wrong]);
    if (checkedAt[q.id][1]) fields.push([V.time, checkedAt[q.id][1]]);
    if (V !== SCORM12 && shown.id !== q.id) fields.push(["description", shown.id]);
    var json = JSON.stringify(fields);
    if (!own(index, q.id)) index[q.id] = nextIndex();
    if (written[index[q.id]] === json) return true;
    var prefix = "cmi.interactions." + index[q.id] + ".";
    if (!set(prefix + "id", fields[0][1])) {
      // the index holds another record (ids are write-once in 2004): take a new one, once
      index[q.id] = nextIndex();
      prefix = "cmi.interactions." + index[q.id] + ".";
      if (!set(prefix + "id", fields[0][1])) return true;
    }
    for (var j = 1; j < fields.length; j++) set(prefix + fields[j][0], fields[j][1]);
    written[index[q.id]] = json;
    return true;
  }

  function report(detail) {
    var bank = detail.bank, result = detail.result || {};
    var answers = plainObject(detail.answers) ? detail.answers : {};
    var text = JSON.stringify(answers);
    if (text === lastAnswers) return;
    var questions = Array.isArray(bank.questions) ? bank.questions : [];
    if (!hadIndex) {
      // suspend_data from before the index map: the interactions were numbered by answered
      // question in bank order, so keep that numbering for those already there
      hadIndex = true;
      var n = 0;
      questions.forEach(function (q) {
        if (q && typeof q.id === "string" && answered(q, restored)) index[q.id] = n++;
      });
    }
    var now = new Date();
    var total = questions.length, checked = 0;
    questions.forEach(function (q) {
      if (!q || typeof q.id !== "string") return;
      var shown = answered(q, answers);
      if (!shown) return;
      if (writeInteraction(q, shown, answers[shown.id], result, now)) checked += 1;
    });
    var score = typeof result.score === "number" && isFinite(result.score) ? result.score : 0;
    var share = total ? Math.max(0, Math.min(1, score / total)) : 0;
    set(V.score + "min", 0);
    set(V.score + "max", 100);
    set(V.score + "raw", Math.round(100 * share));
    if (V !== SCORM12) set("cmi.score.scaled", Math.round(1e7 * share) / 1e7);
    set(V.status, total && checked === total ? "completed" : "incomplete");
    var suspend = JSON.stringify({ v: 1, a: answers, i: index });
    if (suspend.length <= V.limit) set("cmi.suspend_data", suspend);
    lastAnswers = text;
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
