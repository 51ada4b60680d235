// Run the book's SCORM adapter (src/osai/book/static/osai-scorm.js) as a page of an LMS runs
// it, and print what it sets in the LMS: `node scorm-adapter-run.mjs ADAPTER QUIZ CASES`
// (used by tests/test_scorm_responses.py).
//
// CASES is a JSON list of {version: "1.2" | "2004", chapter, bank, answers, stored}.  For
// each case the adapter runs in a fresh vm context whose window is launched as that
// chapter's SCO (?sco=<chapter>, and &scorm=2004 for 2004) and holds a fake SCORM API of
// that version that records every SetValue; the LMS starts with `stored` as
// cmi.suspend_data.  Then, as quiz.js does (its emit/readStore/writeStore): the page asks
// for its answers with "osai-quiz-restore", then reports `answers` with a cancelable
// "osai-quiz-change" whose detail is {chapter, bank, answers, result: scoreAnswers(...)},
// scoreAnswers being quiz.js's own.  With `steps` (a list of answers), each is reported in
// turn instead; `refuse` lists elements whose SetValue fails with error 351.  Printed per
// case: {sets: [[name, value] ...], restored, prevented, initialized, problems}.
import { readFileSync } from "node:fs";
import vm from "node:vm";

const [adapterPath, quizPath, casesPath] = process.argv.slice(2);
const adapter = readFileSync(adapterPath, "utf-8");
// quiz.js is an ES module in a .js file with no package.json: import it as a data: URL
const quizText = readFileSync(quizPath, "utf-8");
const quiz = await import("data:text/javascript," + encodeURIComponent(quizText));
const cases = JSON.parse(readFileSync(casesPath, "utf-8"));

function run(c) {
  const sets = [];
  const store = { "cmi.suspend_data": c.stored || "" };
  let initialized = 0;
  let lastError = "0";
  for (const [k, v] of Object.entries(c.store || {})) store[k] = v;
  const calls = c.version === "2004"
    ? { name: "API_1484_11", init: "Initialize", get: "GetValue", set: "SetValue",
      commit: "Commit", finish: "Terminate", error: "GetLastError" }
    : { name: "API", init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue",
      commit: "LMSCommit", finish: "LMSFinish", error: "LMSGetLastError" };
  const api = {
    [calls.init]: () => { initialized += 1; return "true"; },
    [calls.get]: (name) => (name in store ? store[name] : ""),
    [calls.set]: (name, value) => {
      if ((c.refuse || []).includes(name)) { lastError = "351"; return "false"; }
      lastError = "0"; sets.push([name, value]); store[name] = value; return "true";
    },
    [calls.error]: () => lastError,
    [calls.commit]: () => "true",
    [calls.finish]: () => "true",
  };
  const win = new EventTarget();
  const search = `?sco=${encodeURIComponent(c.chapter)}` +
    (c.version === "2004" ? "&scorm=2004" : "");
  Object.assign(win, {
    [calls.name]: api,
    location: { search, pathname: `/course/chapters/${c.chapter}.html`,
      href: `https://lms.example/course/chapters/${c.chapter}.html${search}`,
      origin: "https://lms.example" },
    opener: null,
  });
  win.parent = win;
  win.top = win;
  const document = {
    readyState: "complete",
    body: { appendChild() {} },
    createElement: () => ({}),
    querySelectorAll: () => [],
    addEventListener() {},
  };
  const context = vm.createContext({ window: win, document, URLSearchParams, URL });
  vm.runInContext(adapter, context, { filename: "osai-scorm.js" });

  // quiz.js's readStore: ask the page for the answers to start from
  const ask = { chapter: c.chapter, key: `osai-quiz/v1/${c.chapter}`, answers: undefined,
    keptBy: undefined };
  win.dispatchEvent(new CustomEvent("osai-quiz-restore", { detail: ask, cancelable: false }));
  // quiz.js's writeStore: report a change
  sets.length = 0;
  let kept = true;
  for (const answers of c.steps || [c.answers]) {
    let result;
    try { result = quiz.scoreAnswers(c.bank, answers); } catch (e) { result = c.result || {}; }
    const detail = { chapter: c.bank.chapter, bank: c.bank, answers: { ...answers }, result };
    kept = win.dispatchEvent(new CustomEvent("osai-quiz-change", { detail, cancelable: true }));
  }
  return { sets, restored: ask.answers === undefined ? null : ask.answers,
    prevented: !kept, initialized, problems: win.osaiScorm ? win.osaiScorm.problems() : null };
}

process.stdout.write(JSON.stringify(cases.map(run)));
