// The conformance vectors (tests/conformance/vectors.json, made by `python -m
// sync.conformance` from the Python core) and the path of the phone app's core modules.
import { readFileSync } from "node:fs";

export const vectors = JSON.parse(readFileSync(
  new URL("../conformance/vectors.json", import.meta.url), "utf8"));
