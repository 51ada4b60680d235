// Parse a GIFT file with gift-pegjs (a GIFT parser that follows Moodle's import) and print
// its questions as JSON: `node gift-parse.mjs FILE` (used by tests/test_quiz_export.py).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { parse } = require("gift-pegjs");
const text = readFileSync(process.argv[2], "utf-8");
process.stdout.write(JSON.stringify(parse(text)));
