// 入企前提示 (before the door): how often the company was inspected this year, by which
// departments and for which items, against the yearly caps (the pack's `this_year`,
// docs/sync-protocol.md section 3). A warning when this visit reaches or passes a cap of
// a department on it, or the total; a notice when one is near. Refreshed with the pack.
import { h } from "../dom.js";
import { VISIT_STATES, CAP_STATUS } from "../words.js";

const RANK = { below: 0, near: 1, at: 2, over: 3 };

export function beforeTheDoor(block) {
  if (!block) return null;
  const mine = block.departments.filter((d) => d.on_this_visit);
  const worst = [block.total_status, ...mine.map((d) => d.status)]
    .reduce((a, b) => (RANK[b] > RANK[a] ? b : a), "below");
  const level = block.warning ? "bad" : worst === "near" ? "warn" : "";
  const headline = block.warning ? "⚠ 已达到或超过年度检查次数上限"
    : worst === "near" ? "⚠ 接近年度检查次数上限" : "未达年度检查次数上限";
  return h("section", { id: "this-year", class: `card this-year ${level}`.trim(), dataset: { status: worst, warning: String(!!block.warning) } },
    h("h2", {}, `入企前提示：${block.year} 年已检查 ${block.inspections} 次`),
    h("p", { class: level ? "alert" : "muted" }, headline,
      `（合计 ${block.inspections}/${block.cap_total} 次，${CAP_STATUS[block.total_status] || block.total_status}；每部门上限 ${block.cap_per_department} 次，均含本次）`),
    h("table", { class: "kv caps" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "部门"), h("th", { scope: "col" }, "本年次数"), h("th", { scope: "col" }, "状态"))),
      h("tbody", {}, block.departments.map((d) => h("tr", { dataset: { department: d.department_id, status: d.status } },
        h("td", {}, d.department || `部门 ${d.department_id}`, d.on_this_visit ? "（本次）" : ""),
        h("td", {}, `${d.inspections}/${block.cap_per_department}`),
        h("td", {}, RANK[d.status] >= 1 ? h("span", { class: `badge ${RANK[d.status] >= 2 ? "bad" : "warn"}` }, CAP_STATUS[d.status] || d.status)
          : CAP_STATUS[d.status] || d.status))))),
    block.visits.length ? h("details", {},
      h("summary", {}, `本年检查记录（${block.visits.length} 次）`),
      h("ul", { class: "this-year-visits" }, block.visits.map((v) => h("li", {},
        h("strong", {}, v.entered_on ? `${v.entered_on} 入企` : `${v.window_start} 至 ${v.window_end}`),
        ` · ${VISIT_STATES[v.state] || v.state}`,
        v.this_visit ? " · 本次" : "",
        v.counts_for_caps ? "" : " · 不计入上限",
        h("br"),
        [...new Set(v.items.map((i) => `${i.department || ""}：${i.name}`))].join("；"))))) : null);
}
