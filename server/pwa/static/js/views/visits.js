// My visits (我的检查任务): from /me/visits, kept on the phone; a "可离线" badge once the
// visit's pack is stored; one tap downloads every open visit's pack.
import { h } from "../dom.js";
import { getAll } from "../store.js";
import { pendingCount } from "../outbox.js";
import { downloadAll } from "../syncer.js";
import { VISIT_STATES, REVIEWS } from "../words.js";

export async function visitsView({ go }) {
  const [visits, packs] = await Promise.all([getAll("visits"), getAll("packs")]);
  const stored = new Set(packs.map((p) => p.visit_id));
  const byWindow = (a, b) => (a.window_start || "").localeCompare(b.window_start || "") || a.id - b.id;
  const open = visits.filter((v) => v.listed !== false).sort(byWindow);
  // approved visits leave /me/visits (closed); the phone keeps showing them as done
  const done = visits.filter((v) => v.listed === false && v.company_name && v.review && v.review.state === "approved").sort(byWindow);
  const message = h("p", { class: "muted", role: "status" });
  const download = h("button", {
    id: "download-all", type: "button", class: "secondary",
    async onclick() {
      download.disabled = true;
      message.textContent = "正在下载…";
      try {
        await downloadAll();
        message.textContent = "全部已下载，可离线使用";
        go(location.pathname, { replace: true });
      } catch (e) {
        message.textContent = e.code === "offline" ? "没有网络，联网后再下载" : `下载失败：${e.message}`;
      } finally { download.disabled = false; }
    },
  }, "全部下载离线使用");
  const cards = [];
  const doneCards = [];
  for (const v of [...open, ...done]) {
    const waiting = await pendingCount(v.id);
    (open.includes(v) ? cards : doneCards).push(h("a", { class: "card visit-card", href: `/app/visits/${v.id}`, dataset: { visit: v.id } },
      h("div", { class: "title" }, v.company_name || `企业 ${v.company_id}`),
      h("div", { class: "meta" },
        h("span", {}, v.company_address || ""),
      ),
      h("div", { class: "meta" },
        h("span", {}, `检查时间 ${v.window_start} 至 ${v.window_end}`),
        h("span", {}, v.task ? `任务：${v.task}` : ""),
      ),
      h("div", { class: "meta" }, v.team && v.team.length ? `检查组：${v.team.join("、")}` : ""),
      h("div", { class: "meta" },
        h("span", { class: "badge" }, VISIT_STATES[v.state] || v.state),
        stored.has(v.id) ? h("span", { class: "badge ok" }, "✓ 可离线") : h("span", { class: "badge warn" }, "未下载"),
        waiting ? h("span", { class: "badge warn" }, `待同步 ${waiting} 条`) : null,
        reviewBadge(v),
      )));
  }
  return [
    h("div", { class: "nav" }, h("h1", {}, "我的检查"), h("a", { href: "/app/settings" }, "我的 / 设置")),
    h("div", { class: "toolbar" }, download), message,
    open.length ? h("div", { class: "visits" }, cards)
      : h("p", { class: "card" }, visits.length ? "没有待办的检查。" : "还没有检查任务：联网后会自动获取。"),
    doneCards.length ? [h("h2", {}, "已办结"), h("div", { class: "visits done" }, doneCards)] : null,
  ];
}

/** The review's outcome (审核), as pulled: returned (with why, on the visit), approved. */
function reviewBadge(v) {
  const review = v.review;
  if (!review) return null;
  if (review.state === "returned" && v.state !== "submitted") return h("span", { class: "badge bad", dataset: { review: "returned" } }, REVIEWS.returned);
  if (review.state === "approved") return h("span", { class: "badge ok", dataset: { review: "approved" } }, `✓ ${REVIEWS.approved}`);
  return h("span", { class: "badge", dataset: { review: "submitted" } }, REVIEWS.submitted);
}
