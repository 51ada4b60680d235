// Runs quiz.js's answer rules, hashed checks and scoring on a table of cases (a JSON file
// written by tests/test_quiz_shapes.py) and prints what it found, so the test can compare
// with Python (osai.quiz.answers, osai.quiz.sealed, osai.quiz.scoring).
// Usage: node quiz-rules-run.mjs <quiz.js> <cases.json>
import { readFileSync } from "node:fs";

const [quizPath, casesPath] = process.argv.slice(2);
// quiz.js is an ES module in a .js file with no package.json: import it as a data: URL
const quiz = await import("data:text/javascript," + encodeURIComponent(readFileSync(quizPath, "utf-8")));
const cases = JSON.parse(readFileSync(casesPath, "utf-8"));
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

const out = {
  sha: cases.sha.map((s) => hex(quiz.sha256(new TextEncoder().encode(s)))),
  shapes: cases.shapes.map(([q, a]) => ({
    problem: quiz.answerProblem(q, a),
    canonical: q.salt === undefined ? null : quiz.canonical(q, a),
    check: q.salt === undefined ? null : quiz.checkAnswer(q, a),
    opened: q.salt === undefined ? null : quiz.openSealed(q, a),
  })),
  scores: cases.scores.map(([bank, answers]) => quiz.scoreAnswers(bank, answers)),
  cleaned: cases.cleaned.map(([bank, raw]) => {
    const { kept, dropped } = quiz.cleanAnswers(quiz.questionIndex(bank), raw);
    return { kept, dropped: dropped.map(([id]) => id) };
  }),
};
process.stdout.write(JSON.stringify(out));
