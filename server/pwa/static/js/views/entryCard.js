// The visit's door (入企) on the visit page: the entry once recorded (when, how, flags), or
// the way in: 扫码入企, and in an emergency "先查后补扫" (the checklist opens at once; the
// scan is still owed, and the server refuses the submission until an entry reaches it).
// Until one of them, a visit with an on-site item keeps its checklist closed.
import { h } from "../dom.js";
import { localEntry, emergencyOf, startEmergency } from "../entry.js";
import { entrySummary } from "./entrySummary.js";

/** {card, closed}: what to show, and whether the checklist stays closed for now. */
export async function entryCard({ visitId, pack, state, go }) {
  const onSite = pack.items.some((item) => item.method === "on_site");
  const open = state === "issued" || state === "entered";
  if (!onSite || !open) return { card: null, closed: false };
  const [entry, emergency] = await Promise.all([localEntry(visitId), emergencyOf(visitId)]);
  const scanHref = `/app/visits/${visitId}/scan`;
  const scanButton = (label, cls = "button") => h("a", { class: cls, href: scanHref, id: "scan-enter" }, label);
  if (entry && !entry.refused) {
    return {
      card: h("section", { id: "entry", class: "card", dataset: { entered: entry.method } },
        h("h2", {}, "✓ 已入企"), entrySummary(pack, entry)),
      closed: false,
    };
  }
  const refusedNote = entry && entry.refused ? h("p", { class: "error" }, "服务器未接受本机的入企记录，请重新扫码入企。") : null;
  if (state === "entered") {
    return {
      card: h("section", { id: "entry", class: "card", dataset: { entered: "team" } },
        h("h2", {}, "✓ 检查组已入企"), refusedNote,
        h("p", { class: "muted" }, "服务器已有本检查的入企记录。本人也可扫码留痕。"),
        scanButton("扫码入企", "button secondary")),
      closed: false,
    };
  }
  if (emergency) {
    return {
      card: h("section", { id: "entry", class: "banner warn", dataset: { entered: "emergency" } },
        h("p", {}, h("strong", {}, "先查后补扫："), "检查已先行开始，离开前必须扫码入企；扫码记录上报前不能提交。"),
        refusedNote, scanButton("扫码入企")),
      closed: false,
    };
  }
  return {
    card: h("section", { id: "entry", class: "card door", dataset: { entered: "no" } },
      h("h2", {}, "尚未入企"), refusedNote,
      h("p", {}, "请先扫描企业张贴的入企检查码（场所码），记录入企后开始检查。"),
      h("div", { class: "toolbar" },
        scanButton("扫码入企"),
        h("button", {
          type: "button", class: "secondary", id: "emergency",
          async onclick() {
            if (!window.confirm("紧急情况下先检查、后补扫码？\n离开前必须扫码入企，扫码前不能提交。")) return;
            await startEmergency(visitId);
            go(location.pathname, { replace: true });
          },
        }, "紧急情况：先查后补扫"))),
    closed: true,
  };
}
