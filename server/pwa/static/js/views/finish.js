// The end of a visit on the phone: the review's outcome (approved, or returned with the
// reason: the visit reopens), the way to sign (签字确认) and to submit (完成检查), and,
// once submitted, the on-site record (现场检查笔录) when online.
import { h, when } from "../dom.js";
import { openRecord } from "../record.js";
import { reasonText, REVIEWS } from "../words.js";

/** The review's outcome as pulled (visit.review), or null before any submission. */
export function reviewBanner(visit) {
  const review = visit && visit.review;
  if (!review) return null;
  const at = review.reviewed_at ? `（${when(Date.parse(review.reviewed_at))}）` : "";
  if (review.state === "returned" && visit.state !== "submitted") {
    return h("div", { class: "banner warn", id: "review", dataset: { review: "returned" } },
      h("p", {}, `${REVIEWS.returned}${at}：${review.reason || ""}。请按要求修改，重新签字后再提交。`));
  }
  if (review.state === "approved") {
    return h("div", { class: "banner ok", id: "review", dataset: { review: "approved" } }, h("p", {}, `✓ ${REVIEWS.approved}${at}`));
  }
  return h("div", { class: "banner", id: "review", dataset: { review: "submitted" } }, h("p", {}, REVIEWS.submitted));
}

/** 签字确认 and 完成检查 while the visit is open; the record once it was submitted. */
export function finishCard(visitId, visit, go) {
  const state = visit && visit.state;
  const submitted = state === "submitted" || state === "closed";
  const open = state === "issued" || state === "entered";
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const link = (path, text, id, secondary) => h("a", {
    class: secondary ? "button secondary" : "button", id, href: path,
    onclick: (e) => { e.preventDefault(); go(path); },
  }, text);
  return h("section", { class: "card", id: "finish-card", "aria-labelledby": "finish-title" },
    h("h2", { id: "finish-title" }, submitted ? "检查已提交" : "签字与提交"),
    open ? h("div", { class: "toolbar" },
      link(`/app/visits/${visitId}/sign`, "签字确认", "go-sign", true),
      link(`/app/visits/${visitId}/submit`, "完成检查", "go-submit", false)) : null,
    submitted ? h("div", { class: "toolbar" }, h("button", {
      type: "button", class: "secondary", id: "open-record",
      async onclick() {
        message.hidden = true;
        try { await openRecord(visitId); } catch (e) {
          message.textContent = e.code === "offline" ? "需要联网才能查看现场检查笔录" : `无法打开笔录：${reasonText(e.code, e.message)}`;
          message.hidden = false;
        }
      },
    }, "查看现场检查笔录（PDF）")) : null,
    message);
}
