// quiz.js: the course's quiz widget (an anywidget ES module).
//
// The same module runs in the built book (from the widget state embedded at build time, no
// kernel) and in JupyterLab (answers and score sync to Python).  Every text from the bank is
// put on the page with textContent, never as HTML.  Progress is kept in localStorage under
// the model's storage_key, answers keyed by question id.
//
// The bank it receives is the learner's form (osai.quiz.sealed): no answer key, a salted
// SHA-256 `check` per question, feedback `sealed` so that it opens only with the key of the
// option chosen (or of the right answer).  SHA-256 is written out here rather than taken
// from crypto.subtle, which browsers give only to secure contexts: a book served over plain
// http on a classroom network, or opened from file:, must check answers too.  Anyone can
// still hash every option with the salt in the page; that is accepted (scores here are
// formative).
//
// Mirrors of Python, each tested against it on the same inputs:
// - answerProblem: osai.quiz.answers.answer_problem (the answer-shape rules, same reasons);
// - canonical/checkAnswer/openSealed: osai.quiz.sealed.canonical/check/open_sealed;
// - isCorrect/scoreAnswers: osai.quiz.scoring.is_correct/score_answers.
//
// Variants: a question may carry `variants` (complete questions, ids "<base>-v2" ...).  The
// answers hold at most one key per base question, the id of the variant answered; after a
// check, "Try another" shows the next variant and removes that question's answer.

// ---------------------------------------------------------------------------- SHA-256

const K256 = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const H256 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const ror = (x, n) => (x >>> n) | (x << (32 - n));

export function sha256(bytes) {
  const H = new Uint32Array(H256);
  const length = bytes.length;
  const buf = new Uint8Array(((length + 9 + 63) >> 6) << 6);
  buf.set(bytes);
  buf[length] = 0x80;
  const dv = new DataView(buf.buffer);
  dv.setUint32(buf.length - 8, Math.floor(length / 0x20000000));
  dv.setUint32(buf.length - 4, (length * 8) >>> 0);
  const W = new Uint32Array(64);
  for (let off = 0; off < buf.length; off += 64) {
    for (let i = 0; i < 16; i++) W[i] = dv.getUint32(off + 4 * i);
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15], y = W[i - 2];
      W[i] = (W[i - 16] + (ror(x, 7) ^ ror(x, 18) ^ (x >>> 3)) + W[i - 7] +
        (ror(y, 17) ^ ror(y, 19) ^ (y >>> 10))) | 0;
    }
    let [a, b, c, d, e, f, g, k] = H;
    for (let i = 0; i < 64; i++) {
      const t1 = (k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) +
        K256[i] + W[i]) | 0;
      const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += k;
  }
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  H.forEach((v, i) => ov.setUint32(4 * i, v));
  return out;
}

const utf8 = (text) => new TextEncoder().encode(text);
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const digest = (purpose, salt, text) => sha256(utf8(`osai-quiz|${purpose}|${salt}|${text}`));
const MAGIC = "osai:";

function keystream(key, length) {
  const out = new Uint8Array(Math.ceil(length / 32) * 32);
  for (let block = 0; block * 32 < length; block++) {
    const input = new Uint8Array(key.length + 4);
    input.set(key);
    new DataView(input.buffer).setUint32(key.length, block);
    out.set(sha256(input), block * 32);
  }
  return out;
}

// the value sealed with `key` (osai.quiz.sealed._seal), or null when the key is not the one
export function unseal(key, text) {
  try {
    const bin = atob(String(text));
    const stream = keystream(key, bin.length);
    const data = Uint8Array.from(bin, (ch, i) => ch.charCodeAt(0) ^ stream[i]);
    const plain = new TextDecoder("utf-8", { fatal: true }).decode(data);
    return plain.startsWith(MAGIC) ? JSON.parse(plain.slice(MAGIC.length)) : null;
  } catch (e) {
    return null;
  }
}

// ---------------------------------------------------------------------------- answer shapes

const EPSILON = 1e-9;
const MAX_NUMBER = 1e9;

function isPlainObject(x) {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

const has = (obj, k) => Object.prototype.hasOwnProperty.call(obj, k);
const idsOf = (rows) => (Array.isArray(rows) ? rows.map((r) => r.id) : []);

function keyedProblem(question, answer, rows) {
  if (!isPlainObject(answer)) return "not an object of items";
  const want = idsOf(question[rows]);
  const keys = Object.keys(answer);
  const wanted = new Set(want);
  if (keys.length !== want.length || !keys.every((k) => wanted.has(k)) ||
      !want.every((k) => has(answer, k))) return "not the items of this question";
  const values = want.map((k) => answer[k]);
  if (question.type === "ordering") {
    if (!values.every((v) => Number.isInteger(v))) return "a position that is not a whole number";
    const sorted = [...values].sort((a, b) => a - b);
    if (!sorted.every((v, i) => v === i + 1)) {
      return `positions that are not 1 to ${want.length} each once`;
    }
    return null;
  }
  const choices = new Set(idsOf(question.right));
  if (!values.every((v) => typeof v === "string" && choices.has(v))) {
    return "a match that is not one of this question's choices";
  }
  return null;
}

// the answer-shape rules (osai.quiz.answers.answer_problem): null, or a short reason
export function answerProblem(question, answer) {
  const type = question.type;
  if (type === "single" || type === "scenario" || type === "multiple") {
    const ids = new Set(idsOf(question.options));
    if (type !== "multiple") {
      if (typeof answer !== "string") return "not an option id";
      return ids.has(answer) ? null : "not one of this question's options";
    }
    if (!Array.isArray(answer)) return "not a list of option ids";
    if (answer.length === 0) return "no option chosen";
    if (!answer.every((a) => typeof a === "string")) return "not a list of option ids";
    if (!answer.every((a) => ids.has(a))) return "not one of this question's options";
    return null;
  }
  if (type === "numeric") {
    if (typeof answer !== "number") return "not a number";
    if (!Number.isFinite(answer) || Math.abs(answer) > MAX_NUMBER) return "a number out of range";
    return null;
  }
  if (type === "ordering") return keyedProblem(question, answer, "items");
  if (type === "matching") return keyedProblem(question, answer, "left");
  return "unknown question type";
}

// ---------------------------------------------------------------------------- checking

function compact(value) {
  // JSON with sorted keys and no spaces (Python's json.dumps(sort_keys=True, separators))
  if (Array.isArray(value)) return JSON.stringify(value);
  const out = {};
  for (const k of Object.keys(value).sort()) out[k] = value[k];
  return JSON.stringify(out);
}

function grid(question, x) {
  const step = question.step;
  const t = x / step;
  const nearest = Math.round(t);
  if (Math.abs(t - nearest) * step <= EPSILON) return [nearest];
  return [Math.floor(t), Math.ceil(t)];
}

// the canonical strings an answer is checked by (osai.quiz.sealed.canonical), or null
export function canonical(question, answer) {
  if (answerProblem(question, answer) !== null) return null;
  const type = question.type;
  if (type === "single" || type === "scenario") return [answer];
  if (type === "multiple") return [compact([...answer].sort())];
  if (type === "numeric") return grid(question, answer).map((i) => String(i === 0 ? 0 : i));
  return [compact(answer)];
}

export function checkAnswer(question, answer) {
  const canon = canonical(question, answer);
  if (canon === null) return false;
  const accepted = new Set(question.check);
  return canon.every((c) => accepted.has(hex(digest("check", question.salt, c))));
}

// what the learner reads after a check (osai.quiz.sealed.open_sealed)
export function openSealed(question, answer) {
  const right = checkAnswer(question, answer);
  const out = { correct: right, options: {} };
  const salt = question.salt;
  const type = question.type;
  if (type === "single" || type === "scenario" || type === "multiple") {
    const canon = canonical(question, answer);
    const chosen = new Set(canon === null ? [] : typeof answer === "string" ? [answer] : answer);
    for (const opt of question.options) {
      if (chosen.has(opt.id)) out.options[opt.id] = unseal(digest("option", salt, opt.id), opt.sealed);
    }
    if (right && type === "multiple") {
      const opened = unseal(digest("answer", salt, canon[0]), question.sealed);
      if (isPlainObject(opened)) Object.assign(out.options, opened);
    }
    return out;
  }
  if (!right) {
    out.text = question.feedback.incorrect;
    return out;
  }
  let value = null;
  for (const c of canonical(question, answer)) {
    const key = digest("answer", salt, c);
    for (const sealed of type === "numeric" ? question.sealed : [question.sealed]) {
      value = value || unseal(key, sealed);
    }
  }
  if (isPlainObject(value)) Object.assign(out, value);
  return out;
}

// right or wrong: the learner's form by its hashes; a loaded bank (instructor tools and
// tests only, never a page) by its key
export function isCorrect(question, answer) {
  if (answerProblem(question, answer) !== null) return false;
  if (question.salt !== undefined) return checkAnswer(question, answer);
  const type = question.type;
  if (type === "single" || type === "scenario") return answer === question.correct[0];
  if (type === "multiple") {
    const want = new Set(question.correct);
    return new Set(answer).size === answer.length && answer.length === want.size &&
      answer.every((a) => want.has(a));
  }
  if (type === "numeric") return Math.abs(answer - question.answer) <= question.tolerance + EPSILON;
  return Object.keys(question.solution).every((k) => answer[k] === question.solution[k]);
}

const versionsOf = (q) => [q, ...(Array.isArray(q.variants) ? q.variants : [])];

function answeredVersion(q, answers) {
  return versionsOf(q).find((v) => has(answers, v.id)) || q;
}

// {score, total, correct}: one entry per base question, under the id of the variant
// answered (the base id when none was); osai.quiz.scoring.score_answers
export function scoreAnswers(bank, answers) {
  answers = isPlainObject(answers) ? answers : {};
  const correct = {};
  let score = 0;
  for (const q of bank.questions) {
    const shown = answeredVersion(q, answers);
    const ok = has(answers, shown.id) && isCorrect(shown, answers[shown.id]);
    correct[shown.id] = ok;
    if (ok) score += 1;
  }
  return { score, total: bank.questions.length, correct };
}

// every answerable id -> {q, base}; a Map, so ids such as "constructor" or "__proto__"
// find nothing
export function questionIndex(bank) {
  const index = new Map();
  for (const q of bank.questions) for (const v of versionsOf(q)) index.set(v.id, { q: v, base: q.id });
  return index;
}

// the answers that fit the bank (osai.quiz.scoring.clean_answers), and [id, reason] for
// each dropped one
export function cleanAnswers(index, raw) {
  const kept = {};
  const dropped = [];
  if (raw === undefined || raw === null) return { kept, dropped };
  if (!isPlainObject(raw)) return { kept, dropped: [["", "saved answers that are not a set of answers"]] };
  const bases = new Set();
  for (const id of Object.keys(raw)) {
    const entry = index.get(id);
    let problem = null;
    if (!entry) problem = "not a question of this quiz";
    else if (bases.has(entry.base)) problem = "a second answer to the same question";
    else problem = answerProblem(entry.q, raw[id]);
    if (problem) dropped.push([id, problem]);
    else {
      kept[id] = raw[id];
      bases.add(entry.base);
    }
  }
  return { kept, dropped };
}

// ---------------------------------------------------------------------------- storage

// An optional page-level hook, for a page that keeps the answers elsewhere (the book's
// _static/osai-scorm.js inside an LMS; nothing listens in JupyterLab or the plain book):
// - before reading localStorage the quiz dispatches "osai-quiz-restore" on window with
//   detail {chapter, key, answers: undefined, keptBy: undefined}; a listener that sets
//   detail.answers gives the answers to start from (localStorage is then not read), and
//   may set detail.keptBy to the intro's sentence on where the answers are kept (instead
//   of "Your answers are kept in this browser; ...");
// - after each change it dispatches a cancelable "osai-quiz-change" with detail
//   {chapter, bank, answers, result} (bank: the learner's form, with `variants`; result:
//   scoreAnswers, computed from the hashes; result.correct is keyed by the id of the
//   variant answered, as the answers are); a listener that calls preventDefault() keeps
//   the answers out of localStorage.
// Restored answers (from either place, or from the kernel) pass cleanAnswers: one of the
// wrong shape, for an unknown question or a second one for the same question is dropped,
// named in a notice above the questions, never shown as checked; the cleaned answers are
// then written back (so the dropped ones are never sent again).
function emit(type, detail, cancelable) {
  try {
    return window.dispatchEvent(new CustomEvent(type, { detail, cancelable: !!cancelable }));
  } catch (e) {
    return true;  // no window/CustomEvent: nothing listens
  }
}

const KEPT_IN_BROWSER = "Your answers are kept in this browser; Reset clears them.";

// the answers to start from, as given (undefined: none kept)
function readStore(key, chapter, intro) {
  const ask = { chapter, key, answers: undefined, keptBy: undefined };
  emit("osai-quiz-restore", ask, false);
  if (ask.answers !== undefined && ask.answers !== null) {
    if (typeof ask.keptBy === "string" && ask.keptBy && intro) {
      intro.textContent = intro.textContent.replace(KEPT_IN_BROWSER, ask.keptBy);
    }
    return ask.answers;
  }
  try {
    const text = window.localStorage.getItem(key);
    if (!text) return undefined;
    const data = JSON.parse(text);
    return isPlainObject(data) ? data.answers : data;
  } catch (e) {
    return undefined;
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

const ORDINAL = (n) => {
  const s = ["th", "st", "nd", "rd"], v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
};

const text = (x) => (typeof x === "string" ? x : "");

let counter = 0;

// ---------------------------------------------------------------------------- one question

function buildQuestion(q, index, uid, baseId, hasVariants) {
  const qid = `${uid}-q${index}`;
  const form = h("form", { className: "osai-quiz-q", "data-qid": q.id, "data-base": baseId,
    novalidate: true });
  const legend = h("legend", { id: `${qid}-legend`, tabindex: "-1" },
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
    get.write = (a) => { input.value = typeof a === "number" ? String(a) : ""; };
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
  const another = hasVariants ? h("button", { type: "button", className: "osai-quiz-another",
    hidden: true }, "Try another") : null;
  const feedback = h("div", { className: "osai-quiz-feedback", role: "status",
    "aria-live": "polite", id: `${qid}-feedback` });
  form.append(fieldset, h("div", { className: "osai-quiz-buttons" }, button, another), feedback);
  return { form, legend, feedback, another, controls: get };
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
  const opened = openSealed(q, answer);
  const ok = opened.correct;
  box.dataset.result = ok ? "correct" : "incorrect";
  box.append(h("p", { className: "osai-quiz-verdict" },
    h("span", { className: "osai-quiz-icon", "aria-hidden": "true" }, ok ? "✓" : "✗"), " ",
    h("strong", {}, ok ? "Correct." : "Not quite."), " ",
    ok ? "" : "Read the feedback and try again."));
  if (q.type === "single" || q.type === "scenario") {
    const opt = q.options.find((o) => o.id === answer);
    if (opt) {
      box.append(h("p", {}, h("strong", {}, "Your choice: "), opt.text, ". ",
        text(opened.options[opt.id])));
    }
  } else if (q.type === "multiple") {
    const chosen = new Set(answer);
    const list = h("ul", {});
    for (const opt of q.options) {
      const said = text(opened.options[opt.id]);
      list.append(h("li", {}, h("strong", {}, (chosen.has(opt.id) ? "You chose: " : "You did not choose: ")),
        opt.text, said ? ". " : ".", said));
    }
    box.append(list);
  } else {
    box.append(h("p", {}, text(opened.text)));
    if (ok && q.type === "ordering" && Array.isArray(opened.order)) {
      const list = h("ol", {});
      opened.order.forEach(([item, date]) => list.append(h("li", {}, `${text(item)} (${text(date)})`)));
      box.append(h("p", {}, "The order in the course data:"), list);
    } else if (ok && q.type === "matching" && Array.isArray(opened.left)) {
      const list = h("ul", {});
      opened.left.forEach((said) => list.append(h("li", {}, text(said))));
      box.append(list);
    }
  }
}

// ---------------------------------------------------------------------------- the widget

const NOTICE_SHOWN = 5;

function clip(id) {
  const s = String(id);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

function render({ model, el }) {
  const uid = `osai-quiz-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  const bank = model.get("bank");
  const key = model.get("storage_key") || `osai-quiz/v1/${bank.chapter}`;
  const index = questionIndex(bank);

  const root = h("section", { className: "osai-quiz", "aria-label": `Quiz: ${bank.title}` });
  const score = h("p", { className: "osai-quiz-score", role: "status", "aria-live": "polite" });
  const intro = h("p", { className: "osai-quiz-intro" },
    `${bank.questions.length} questions. Check each answer to see feedback. ${KEPT_IN_BROWSER}`);
  const notice = h("div", { className: "osai-quiz-notice", role: "alert", hidden: true });
  root.append(intro, notice, score);

  // one slot per base question: the version shown (the base, or a variant) and its form
  const slots = bank.questions.map((q, i) => ({ base: q, versions: versionsOf(q), shown: 0, i }));
  const slotOf = new Map();
  slots.forEach((slot) => slot.versions.forEach((v) => slotOf.set(v.id, slot)));
  const question = (slot) => slot.versions[slot.shown];

  const reset = h("button", { type: "button", className: "osai-quiz-reset" }, "Reset quiz");
  const save = h("button", { type: "button", className: "osai-quiz-save" }, "Save my answers");
  const actions = h("div", { className: "osai-quiz-actions" }, save, reset);

  let answers = {};
  const dropped = [];

  function restore(raw) {
    const { kept, dropped: out } = cleanAnswers(index, raw);
    dropped.push(...out);
    return kept;
  }

  function showNotice() {
    if (dropped.length === 0) {
      notice.hidden = true;
      notice.replaceChildren();
      return;
    }
    const named = dropped.slice(0, NOTICE_SHOWN).map(([id, why]) =>
      (id ? `“${clip(id)}” (${why})` : why)).join("; ");
    const more = dropped.length > NOTICE_SHOWN ? `; and ${dropped.length - NOTICE_SHOWN} more` : "";
    notice.replaceChildren(h("p", {}, h("strong", {}, "Some saved answers could not be used. "),
      `They were dropped and are not counted: ${named}${more}. Your other answers are kept.`));
    notice.hidden = false;
  }

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

  function showSlot(slot) {
    const q = question(slot);
    const view = slot.view;
    if (has(answers, q.id)) {
      try {
        view.controls.write(answers[q.id]);
        showFeedback(q, answers[q.id], view.feedback);
      } catch (e) {
        // an answer these rules let through but the page cannot show: dropped, never shown
        dropped.push([q.id, "an answer this quiz cannot show"]);
        delete answers[q.id];
        view.controls.clear();
        view.feedback.replaceChildren();
        delete view.feedback.dataset.result;
      }
    } else {
      view.controls.clear();
      view.feedback.replaceChildren();
      delete view.feedback.dataset.result;
    }
    if (view.another) view.another.hidden = !has(answers, q.id);
  }

  function showAll() {
    for (const slot of slots) {
      const shown = slot.versions.findIndex((v) => has(answers, v.id));
      if (shown >= 0 && shown !== slot.shown) {
        slot.shown = shown;
        mount(slot);
      }
      showSlot(slot);
    }
    showNotice();
    showScore();
  }

  // (re)build a slot's form for the version it shows
  function mount(slot) {
    const q = question(slot);
    const view = buildQuestion(q, slot.i, uid, slot.base.id, slot.versions.length > 1);
    view.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const answer = view.controls.read();
      showFeedback(q, answer, view.feedback);
      if (answer === null || sharedPositions(q, answer)) return;
      answers = { ...answers, [q.id]: answer };
      if (view.another) view.another.hidden = false;
      showScore();
      sync();
    });
    if (view.another) {
      view.another.addEventListener("click", () => {
        const next = { ...answers };
        for (const v of slot.versions) delete next[v.id];
        answers = next;
        slot.shown = (slot.shown + 1) % slot.versions.length;
        mount(slot);
        showSlot(slot);
        slot.view.legend.focus();
        showScore(`Question ${slot.i + 1} now shows another version` +
          ` (${slot.shown + 1} of ${slot.versions.length}); its answer was cleared.`);
        sync();
      });
    }
    if (slot.view) slot.view.form.replaceWith(view.form);
    slot.view = view;
  }

  slots.forEach((slot) => {
    mount(slot);
    root.append(slot.view.form);
  });
  root.append(actions);
  el.replaceChildren(root);

  const fromKernel = model.get("answers");
  const given = isPlainObject(fromKernel) && Object.keys(fromKernel).length > 0;
  answers = restore(given ? fromKernel : readStore(key, bank.chapter, intro));
  showAll();

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
    dropped.length = 0;
    for (const slot of slots) {
      if (slot.shown !== 0) {
        slot.shown = 0;
        mount(slot);
      }
    }
    showAll();
    showScore("Quiz reset: all answers cleared.");
    sync();
  });
  const onChange = () => {
    const incoming = restore(model.get("answers"));
    if (JSON.stringify(incoming) === JSON.stringify(answers)) {
      showNotice();
      return;
    }
    answers = incoming;
    writeStore(key, answers, bank);
    showAll();
  };
  model.on("change:answers", onChange);

  // restored answers (from storage, or some dropped): tell the kernel and the page's hook
  if (dropped.length > 0 || JSON.stringify(fromKernel || {}) !== JSON.stringify(answers)) sync();
  return () => model.off("change:answers", onChange);
}

export default { render };
