// The core modules are what the phone's browser imports as they are: plain ES modules with
// relative imports, no node-only API, each saying which Python it mirrors.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

const CORE = new URL("../../server/pwa/static/js/core/", import.meta.url);
const modules = readdirSync(CORE).filter((name) => name.endsWith(".js"));

test("every core module is a browser ES module", async () => {
  assert.ok(modules.length >= 8, modules.join(" "));
  for (const name of modules) {
    const text = readFileSync(new URL(name, CORE), "utf8");
    for (const forbidden of [/\brequire\s*\(/, /["']node:/, /\bBuffer\b/, /\bprocess\./,
      /__dirname/, /\bimport\s*\(/]) {
      assert.doesNotMatch(text, forbidden, `${name} uses ${forbidden}`);
    }
    for (const [, from] of text.matchAll(/^import .* from "([^"]+)";$/gm)) {
      assert.match(from, /^\.\/[A-Za-z]+\.js$/, `${name} imports ${from}`);
    }
    assert.match(text.split("\n")[0], /^\/\/ /, `${name} starts with its header`);
    assert.match(text.slice(0, 600), /(sync|schemas)\/[a-z_]+\.py|sync\.[a-z_.]+/,
      `${name} names the Python it mirrors`);
    await import(new URL(name, CORE)); // and loads
  }
});
