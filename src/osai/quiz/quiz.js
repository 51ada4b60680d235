// quiz.js: the course's quiz widget (an anywidget ES module).
//
// The same module runs in the built book (from the widget state embedded at build time, no
// kernel) and in JupyterLab (answers and score sync to Python).  Every text from the bank is
// put on the page with textContent, never as HTML.  Progress is kept in localStorage under
// the model's storage_key, answers keyed by question id.
//
// isCorrect/scoreAnswers mirror osai.quiz.bank.is_correct/score_answers (tested).

const EPSILON = 1e-9;

function isNumber(x) {
  return typeof x === "number" && Number.isFinite(x);
}

function isPlainObject(x) {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

function sameKeys(obj, solution) {
  const a = Object.keys(obj).sort();
  const b = Object.keys(solution).sort();
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

export function isCorrect(question, answer) {
  const type = question.type;
  if (answer === null || answer === undefined) return false;
  if (type === "single" || type === "scenario") {
    return typeof answer === "string" && answer === question.correct[0];
  }
  if (type === "multiple") {
    if (!Array.isArray(answer) || !answer.every((a) => typeof a === "string")) return false;
    const set = new Set(answer);
    const want = new Set(question.correct);
    return set.size === answer.length && set.size === want.size &&
      [...set].every((a) => want.has(a));
  }
  if (type === "numeric") {
    return isNumber(answer) && Math.abs(answer - question.answer) <= question.tolerance + EPSILON;
  }
  if (type === "ordering" || type === "matching") {
    const solution = question.solution;
    if (!isPlainObject(answer) || !sameKeys(answer, solution)) return false;
    if (type === "ordering") {
      return Object.keys(solution).every((k) =>
        isNumber(answer[k]) && Number.isInteger(answer[k]) && answer[k] === solution[k]);
    }
    return Object.keys(solution).every((k) => answer[k] === solution[k]);
  }
  return false;
}

export function scoreAnswers(bank, answers) {
  answers = answers || {};
  const correct = {};
  let score = 0;
  for (const q of bank.questions) {
    const ok = isCorrect(q, Object.prototype.hasOwnProperty.call(answers, q.id) ? answers[q.id] : undefined);
    correct[q.id] = ok;
    if (ok) score += 1;
  }
  return { score, total: bank.questions.length, correct };
}

// ---------------------------------------------------------------------------- storage

// An optional page-level hook, for a page that keeps the answers elsewhere (the book's
// _static/osai-scorm.js inside an LMS; nothing listens in JupyterLab or the plain book):
// - before reading localStorage the quiz dispatches "osai-quiz-restore" on window with
//   detail {chapter, key, answers: undefined, keptBy: undefined}; a listener that sets
//   detail.answers to an object gives the answers to start from (localStorage is then not
//   read), and may set detail.keptBy to the intro's sentence on where the answers are
//   kept (instead of "Your answers are kept in this browser; ...");
// - after each change it dispatches a cancelable "osai-quiz-change" with detail
//   {chapter, bank, answers, result} (result: scoreAnswers); a listener that calls
//   preventDefault() keeps the answers out of localStorage.
function emit(type, detail, cancelable) {
  try {
    return window.dispatchEvent(new CustomEvent(type, { detail, cancelable: !!cancelable }));
  } catch (e) {
    return true;  // no window/CustomEvent: nothing listens
  }
}

const KEPT_IN_BROWSER = "Your answers are kept in this browser; Reset clears them.";

function readStore(key, chapter, intro) {
  const ask = { chapter, key, answers: undefined, keptBy: undefined };
  emit("osai-quiz-restore", ask, false);
  if (isPlainObject(ask.answers)) {
    if (typeof ask.keptBy === "string" && ask.keptBy && intro) {
      intro.textContent = intro.textContent.replace(KEPT_IN_BROWSER, ask.keptBy);
    }
    return ask.answers;
  }
  try {
    const text = window.localStorage.getItem(key);
    if (!text) return {};
    const data = JSON.parse(text);
    return isPlainObject(data) && isPlainObject(data.answers) ? data.answers : {};
  } catch (e) {
    return {};
  }
}

function writeStore(key, answers, bank) {
  const detail = { chapter: bank.chapter, bank, answers: { ...answers },
    result: scoreAnswers(bank, answers) };
  if (!emit("osai-quiz-change", detail, true)) return;  // kept by the page's hook
  try {
    if (Object.keys(answers).length === 0) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, JSON.stringify({ version: 1, answers }));
  } catch (e) {
    // storage disabled or full: the quiz still works for this visit
  }
}

// ---------------------------------------------------------------------------- DOM helpers

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "className") el.className = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

function fmtNumber(x) {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 100) / 100);
}

function fill(text, question) {
  // the only substitution: {answer} in numeric feedback, the value computed from data/
  if (question.type !== "numeric") return text;
  return String(text).split("{answer}").join(fmtNumber(question.answer));
}

const ORDINAL = (n) => {
  const s = ["th", "st", "nd", "rd"], v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
};

let counter = 0;

// ---------------------------------------------------------------------------- one question

function buildQuestion(q, index, uid) {
  const qid = `${uid}-q${index}`;
  const form = h("form", { className: "osai-quiz-q", "data-qid": q.id, novalidate: true });
  const legend = h("legend", { id: `${qid}-legend` },
    h("span", { className: "osai-quiz-qnum" }, `Question ${index + 1}. `), q.prompt);
  const fieldset = h("fieldset", {}, legend);
  fieldset.append(h("p", { className: "osai-quiz-section" }, `Section: ${q.section}`));
  if (q.type === "scenario") {
    fieldset.append(h("p", { className: "osai-quiz-case" },
      h("strong", {}, "Case. "), q.case));
  }
  const get = { read: () => null, write: () => {}, clear: () => {} };

  if (q.type === "single" || q.type === "scenario" || q.type === "multiple") {
    const multi = q.type === "multiple";
    fieldset.append(h("p", { className: "osai-quiz-hint" },
      multi ? "Choose all that apply." : "Choose one answer."));
    const inputs = q.options.map((opt, i) => {
      const id = `${qid}-o${i}`;
      const input = h("input", { type: multi ? "checkbox" : "radio", id, name: `${qid}-opt`,
        value: opt.id });
      fieldset.append(h("div", { className: "osai-quiz-option" }, input,
        h("label", { for: id }, opt.text)));
      return input;
    });
    get.read = () => {
      const chosen = inputs.filter((i) => i.checked).map((i) => i.value);
      if (multi) return chosen.length ? chosen : null;
      return chosen.length ? chosen[0] : null;
    };
    get.write = (a) => {
      const set = new Set(Array.isArray(a) ? a : [a]);
      inputs.forEach((i) => { i.checked = set.has(i.value); });
    };
    get.clear = () => inputs.forEach((i) => { i.checked = false; });
  } else if (q.type === "numeric") {
    const id = `${qid}-n`;
    const input = h("input", { type: "number", id, step: "any", inputmode: "decimal",
      className: "osai-quiz-number" });
    fieldset.append(h("div", { className: "osai-quiz-option osai-quiz-number-row" },
      h("label", { for: id }, `Your answer (${q.unit})`), " ", input));
    get.read = () => {
      if (input.value.trim() === "") return null;
      const x = Number(input.value);
      return Number.isFinite(x) ? x : null;
    };
    get.write = (a) => { input.value = isNumber(a) ? String(a) : ""; };
    get.clear = () => { input.value = ""; };
  } else if (q.type === "ordering" || q.type === "matching") {
    const ordering = q.type === "ordering";
    fieldset.append(h("p", { className: "osai-quiz-hint" }, ordering
      ? "Give each event its position in time: 1st is the earliest."
      : "Choose the match for each item."));
    const rows = ordering ? q.items : q.left;
    const selects = rows.map((row, i) => {
      const id = `${qid}-s${i}`;
      const select = h("select", { id, "data-key": row.id });
      select.append(h("option", { value: "" }, ordering ? "Choose a position" : "Choose a match"));
      if (ordering) {
        rows.forEach((_, k) => select.append(h("option", { value: String(k + 1) }, ORDINAL(k + 1))));
      } else {
        q.right.forEach((r) => select.append(h("option", { value: r.id }, r.text)));
      }
      fieldset.append(h("div", { className: "osai-quiz-select" },
        h("label", { for: id }, row.text), " ", select));
      return select;
    });
    get.read = () => {
      if (selects.some((s) => s.value === "")) return null;
      const out = {};
      selects.forEach((s) => { out[s.dataset.key] = ordering ? Number(s.value) : s.value; });
      return out;
    };
    get.write = (a) => {
      selects.forEach((s) => {
        const v = isPlainObject(a) ? a[s.dataset.key] : undefined;
        s.value = v === undefined || v === null ? "" : String(v);
      });
    };
    get.clear = () => selects.forEach((s) => { s.value = ""; });
  }

  const button = h("button", { type: "submit", className: "osai-quiz-check" }, "Check answer");
  const feedback = h("div", { className: "osai-quiz-feedback", role: "status",
    "aria-live": "polite", id: `${qid}-feedback` });
  form.append(fieldset, button, feedback);
  return { form, feedback, controls: get };
}

// "Revisit: <section>" after the feedback, when the bank gives the section's HTML id
function revisitLink(q) {
  const anchor = q.section_anchor;
  if (typeof anchor !== "string" || !/^[A-Za-z][\w.:-]*$/.test(anchor)) return null;
  return h("p", { className: "osai-quiz-revisit" },
    h("a", { href: `#${anchor}` }, `Revisit: ${q.section}`));
}

function showFeedback(q, answer, box) {
  showVerdict(q, answer, box);
  const link = box.dataset.result === "incomplete" ? null : revisitLink(q);
  if (link) box.append(link);
}

// an ordering that gives two events the same position is not an order: the learner is
// asked to fix it before it is checked (so every checked ordering is a sequence, as the
// SCORM runtime and the class report record it)
function sharedPositions(q, answer) {
  if (q.type !== "ordering" || !isPlainObject(answer)) return false;
  const positions = Object.values(answer);
  return new Set(positions).size !== positions.length;
}

function showVerdict(q, answer, box) {
  box.replaceChildren();
  if (sharedPositions(q, answer)) {
    box.dataset.result = "incomplete";
    box.append(h("p", {}, "Give each event a different position, then check."));
    return;
  }
  if (answer === null || answer === undefined) {
    box.dataset.result = "incomplete";
    box.append(h("p", {}, q.type === "ordering" || q.type === "matching"
      ? "Answer every item first, then check."
      : "Choose or type an answer first, then check."));
    return;
  }
  const ok = isCorrect(q, answer);
  box.dataset.result = ok ? "correct" : "incorrect";
  box.append(h("p", { className: "osai-quiz-verdict" },
    h("span", { className: "osai-quiz-icon", "aria-hidden": "true" }, ok ? "✓" : "✗"), " ",
    h("strong", {}, ok ? "Correct." : "Not quite."), " ",
    ok ? "" : "Read the feedback and try again."));
  if (q.type === "single" || q.type === "scenario") {
    const opt = q.options.find((o) => o.id === answer);
    if (opt) box.append(h("p", {}, h("strong", {}, "Your choice: "), opt.text, ". ", opt.feedback));
  } else if (q.type === "multiple") {
    const chosen = new Set(answer);
    const list = h("ul", {});
    for (const opt of q.options) {
      list.append(h("li", {}, h("strong", {}, (chosen.has(opt.id) ? "You chose: " : "You did not choose: ")),
        opt.text, ". ", opt.feedback));
    }
    box.append(list);
  } else if (q.type === "numeric") {
    box.append(h("p", {}, fill(ok ? q.feedback.correct : q.feedback.incorrect, q)));
  } else if (q.type === "ordering") {
    box.append(h("p", {}, ok ? q.feedback.correct : q.feedback.incorrect));
    if (ok) {
      const list = h("ol", {});
      const sorted = [...q.items].sort((a, b) => q.solution[a.id] - q.solution[b.id]);
      sorted.forEach((it) => list.append(h("li", {}, `${it.text} (${it.date})`)));
      box.append(h("p", {}, "The order in the course data:"), list);
    }
  } else if (q.type === "matching") {
    box.append(h("p", {}, ok ? q.feedback.correct : q.feedback.incorrect));
    if (ok) {
      const list = h("ul", {});
      q.left.forEach((l) => list.append(h("li", {}, l.feedback)));
      box.append(list);
    }
  }
}

// ---------------------------------------------------------------------------- the widget

function render({ model, el }) {
  const uid = `osai-quiz-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  const bank = model.get("bank");
  const key = model.get("storage_key") || `osai-quiz/v1/${bank.chapter}`;
  const byId = Object.fromEntries(bank.questions.map((q) => [q.id, q]));

  const root = h("section", { className: "osai-quiz", "aria-label": `Quiz: ${bank.title}` });
  const score = h("p", { className: "osai-quiz-score", role: "status", "aria-live": "polite" });
  const intro = h("p", { className: "osai-quiz-intro" },
    `${bank.questions.length} questions. Check each answer to see feedback. ${KEPT_IN_BROWSER}`);
  root.append(intro, score);
  const views = {};
  bank.questions.forEach((q, i) => {
    const view = buildQuestion(q, i, uid);
    views[q.id] = view;
    root.append(view.form);
  });
  const reset = h("button", { type: "button", className: "osai-quiz-reset" }, "Reset quiz");
  const save = h("button", { type: "button", className: "osai-quiz-save" }, "Save my answers");
  root.append(h("div", { className: "osai-quiz-actions" }, save, reset));
  el.replaceChildren(root);

  function clean(answers) {
    const out = {};
    for (const [qid, a] of Object.entries(answers || {})) if (byId[qid]) out[qid] = a;
    return out;
  }

  let answers = clean(model.get("answers"));
  if (Object.keys(answers).length === 0) answers = clean(readStore(key, bank.chapter, intro));

  function showScore(extra) {
    const s = scoreAnswers(bank, answers);
    score.textContent = `Score: ${s.score} of ${s.total} correct` +
      ` (${Object.keys(answers).length} checked).` + (extra ? ` ${extra}` : "");
    score.dataset.score = String(s.score);
    return s;
  }

  function sync() {
    const s = scoreAnswers(bank, answers);
    writeStore(key, answers, bank);
    model.set("answers", { ...answers });
    model.set("score", s.score);
    try {
      model.save_changes();
    } catch (e) {
      // a static page has no kernel to sync with; the answers live in localStorage
    }
  }

  function showAll() {
    for (const q of bank.questions) {
      const view = views[q.id];
      if (Object.prototype.hasOwnProperty.call(answers, q.id)) {
        view.controls.write(answers[q.id]);
        showFeedback(q, answers[q.id], view.feedback);
      } else {
        view.controls.clear();
        view.feedback.replaceChildren();
        delete view.feedback.dataset.result;
      }
    }
    showScore();
  }

  for (const q of bank.questions) {
    const view = views[q.id];
    view.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const answer = view.controls.read();
      showFeedback(q, answer, view.feedback);
      if (answer === null || sharedPositions(q, answer)) return;
      answers = { ...answers, [q.id]: answer };
      showScore();
      sync();
    });
  }
  // "Save my answers": a progress file (the format of Quiz.save_progress in widget.py)
  // the learner can keep or hand in; made in the page (Blob + a[download]), so it works
  // offline and sends nothing anywhere.
  save.addEventListener("click", () => {
    const s = scoreAnswers(bank, answers);
    const data = { format: "osai-quiz-progress", version: 1,
      chapters: { [bank.chapter]: { answers: { ...answers }, score: s.score, total: s.total } } };
    const name = `${bank.chapter}-answers.json`;
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2) + "\n"],
      { type: "application/json" }));
    const link = h("a", { href: url, download: name, hidden: true });
    root.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    showScore(`Your answers were saved as ${name} in your downloads.`);
  });
  reset.addEventListener("click", () => {
    answers = {};
    showAll();
    showScore("Quiz reset: all answers cleared.");
    sync();
  });
  const onChange = () => {
    const incoming = clean(model.get("answers"));
    if (JSON.stringify(incoming) === JSON.stringify(answers)) return;
    answers = incoming;
    writeStore(key, answers, bank);
    showAll();
  };
  model.on("change:answers", onChange);

  showAll();
  // restored from localStorage: tell the kernel, if there is one
  if (JSON.stringify(clean(model.get("answers"))) !== JSON.stringify(answers)) sync();
  return () => model.off("change:answers", onChange);
}

export default { render };
