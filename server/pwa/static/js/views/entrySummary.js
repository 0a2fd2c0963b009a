// What the phone shows of an entry it recorded: the company (from the pack, the code's
// company being the visit's), when, how, where (with the position's accuracy) and what
// is flagged; whether it waits to sync or the server refused it.
import { h, when } from "../dom.js";
import { ENTRY_METHODS, ENTRY_FLAGS, reasonText } from "../words.js";

export function entrySummary(pack, entry) {
  const position = entry.latitude === null || entry.latitude === undefined ? "未取得定位"
    : `${entry.latitude.toFixed(5)}, ${entry.longitude.toFixed(5)}`
      + (entry.accuracy ? `（精度约 ${Math.round(entry.accuracy)} 米）` : "");
  let sync = "已上报服务器";
  if (entry.refused) sync = `服务器未接受：${reasonText(entry.refused.reason, entry.refused.message)}`;
  else if (entry.pending) sync = "待同步：联网后自动上报，服务器会再次核验";
  return h("table", { class: "kv entry-summary" }, h("tbody", {},
    row("企业名称", pack.company.name),
    row("统一社会信用代码", pack.company.credit_code),
    row("入企方式", ENTRY_METHODS[entry.method] || entry.method),
    entry.reason ? row("原因", entry.reason) : null,
    row("时间", when(entry.at)),
    row("位置", position),
    entry.flags && entry.flags.length ? row("标记", h("span", { class: "flags" },
      entry.flags.map((f) => h("span", { class: "badge warn", dataset: { flag: f } }, ENTRY_FLAGS[f] || f)))) : null,
    row("上报", sync)));
}

function row(label, value) {
  return h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, value));
}
