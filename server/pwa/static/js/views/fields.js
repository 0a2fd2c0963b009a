// One checklist field, rendered from the field-type registry's description (core/
// fieldTypes.js, the port of sync/field_types.py): how to ask, required or not, choices,
// unit and range. An answer the registry refuses is shown as an error and not recorded,
// exactly as the server would refuse it (bad_value).
import { h } from "../dom.js";
import { describe, accepts, canonical, words } from "../rules.js";

const TEXT_DELAY_MS = 700;

/**
 * ``field`` the form's field; ``value`` its current value (merged); ``editable``;
 * ``onAnswer(value)`` records an answer (returns a promise); ``photo(value)`` makes a photo
 * field's control (views/photoField.js).
 */
export function fieldInput(field, value, { editable, onAnswer, idPrefix, photo = null }) {
  const d = describe(field);
  const id = `${idPrefix}-${field.key}`;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const fail = (text) => { error.textContent = text; error.hidden = false; };
  const answer = async (v) => {
    error.hidden = true;
    const canon = v === null ? null : canonical(field, v);
    if (!accepts(field, canon)) {
      fail(canon === null ? "此项为必填项，不能清空" : rangeText(d) || "填写的值不符合要求");
      return false;
    }
    try { await onAnswer(canon); return true; } catch (e) { fail(e.message); return false; }
  };
  let control;
  if (!editable) {
    control = h("p", { class: "value", id }, value === null || value === undefined ? "（未填写）" : words(field, value));
  } else if (d.input === "single_choice") {
    control = h("div", { class: "choices", role: "radiogroup", "aria-labelledby": `${id}-label` },
      d.options.map((o) => h("label", { class: "choice" },
        h("input", {
          type: "radio", name: id, value: o.value, checked: value === o.value,
          onchange: () => answer(o.value),
        }), o.label)),
      !d.required && value !== null && value !== undefined
        ? h("button", { type: "button", class: "secondary", onclick: () => answer(null) }, "清除") : null);
  } else if (d.input === "multiple_choice") {
    const chosen = new Set(Array.isArray(value) ? value : []);
    control = h("div", { class: "choices", role: "group", "aria-labelledby": `${id}-label` },
      d.options.map((o) => h("label", { class: "choice" },
        h("input", {
          type: "checkbox", value: o.value, checked: chosen.has(o.value),
          onchange(event) {
            if (event.target.checked) chosen.add(o.value); else chosen.delete(o.value);
            answer(d.options.map((x) => x.value).filter((v) => chosen.has(v)));
          },
        }), o.label)));
  } else if (d.input === "number") {
    const input = h("input", {
      id, type: "number", inputmode: "decimal", step: "any", value: value ?? "",
      min: d.min ?? null, max: d.max ?? null,
      onchange(event) {
        const text = event.target.value.trim();
        if (text === "") { if (!d.required) answer(null); else fail("此项为必填项，不能清空"); return; }
        const n = Number(text);
        if (!Number.isFinite(n)) { fail("请输入数字"); return; }
        answer(n);
      },
    });
    control = h("div", {}, h("div", { class: "number-row" }, input, d.unit ? h("span", { class: "unit" }, d.unit) : null),
      rangeText(d) ? h("p", { class: "muted" }, rangeText(d)) : null);
  } else if (d.input === "date") {
    control = h("input", {
      id, type: "date", value: value || "", min: "2000-01-01", max: "2100-12-31",
      onchange(event) { answer(event.target.value || null); },
    });
  } else if (d.input === "photo") {
    // the answer is the photo's SHA-256; views/photoField.js takes it and shows it
    control = h("div", {},
      h("p", { class: "photo-marker" }, "需拍照：此项要求拍照留证"),
      photo ? photo(value) : (value ? h("p", {}, words(field, value)) : null));
  } else {
    control = textArea(id, value, (text) => answer(text === "" && !d.required ? null : text));
  }
  return { control, error, described: d };
}

const unsaved = new Set(); // text boxes typed in and not yet recorded

/** Records what every text box holds now (before the page hides or changes view). */
export function flushTexts() {
  for (const flush of [...unsaved]) flush();
}

/** A text box that records while typing (after a pause), when it loses focus, and when
 *  the app is hidden or leaves the view: nothing typed lives only in the page. */
export function textArea(id, value, save, attrs = {}) {
  let timer = null;
  let last = value ?? "";
  const box = h("textarea", {
    id, maxlength: 5000, ...attrs,
    oninput() { unsaved.add(flush); clearTimeout(timer); timer = setTimeout(flush, TEXT_DELAY_MS); },
    onblur: () => flush(),
  }, value ?? "");
  function flush() {
    clearTimeout(timer);
    timer = null;
    unsaved.delete(flush);
    const text = box.value;
    if (text !== last) { last = text; save(text); }
  }
  return box;
}

function rangeText(d) {
  if (d.min === undefined && d.max === undefined) return "";
  if (d.min !== null && d.min !== undefined && d.max !== null && d.max !== undefined) return `范围 ${d.min}–${d.max}${d.unit || ""}`;
  if (d.min !== null && d.min !== undefined) return `不小于 ${d.min}${d.unit || ""}`;
  if (d.max !== null && d.max !== undefined) return `不大于 ${d.max}${d.unit || ""}`;
  return "";
}
