// Entry scans judged by the phone app's core (core/entry.js), for
// tests/server/test_entry_judged_alike.py, which has the server judge the same scans: one
// JSON object on stdin, `{pack, cases: [{scanned, at, inspector_id, state, manual}]}`
// (`at` in ms), answered on stdout with each case's refusal code, or null when taken.
import { readFileSync } from "node:fs";
import { judgeEntryScan, judgeManualEntry } from "../../server/pwa/static/js/core/entry.js";

const { pack, cases } = JSON.parse(readFileSync(0, "utf8"));
const codes = [];
for (const c of cases) {
  const options = { pack, inspectorId: c.inspector_id, state: c.state ?? null, at: c.at };
  try {
    if (c.manual) await judgeManualEntry(options);
    else await judgeEntryScan(c.scanned, options);
    codes.push(null);
  } catch (error) {
    if (!error.code) throw error;
    codes.push(error.code);
  }
}
process.stdout.write(`${JSON.stringify(codes)}\n`);
