// An entry without the code (场所码缺失或损坏): a reason and a photo of the premises, as
// the server takes it (the `entry_scan` op's `reason` and `sha256`), flagged manual. The
// photo joins the durable photo queue with the op, in one transaction, so the entry never
// names a photo the phone does not hold.
import { h, replace } from "../dom.js";
import { get } from "../store.js";
import { syncSoon } from "../syncer.js";
import { currentPosition, judgeManual, rememberManual } from "../entry.js";
import { addPhoto } from "../photos.js";
import { CodeError } from "../core/codes.js";
import { entryRefusalText } from "../words.js";

export const MANUAL_REASONS = ["企业未张贴场所码", "场所码损坏、无法识别", "相机无法使用", "系统故障"];
const MAX_REASON = 500;

export function manualEntryForm({ visitId, pack, context, onDone }) {
  const choice = h("select", { id: "manual-reason", "aria-label": "无法扫码的原因" },
    h("option", { value: "" }, "— 请选择原因 —"),
    MANUAL_REASONS.map((r) => h("option", { value: r }, r)),
    h("option", { value: "其他" }, "其他（请说明）"));
  const detail = h("input", { id: "manual-detail", type: "text", maxlength: 200, placeholder: "补充说明（选“其他”时必填）" });
  const photo = h("input", { id: "manual-photo", type: "file", accept: "image/*", capture: "environment" });
  const message = h("p", { id: "manual-message", class: "error", hidden: true, role: "alert" });
  const submit = h("button", { type: "submit", id: "manual-submit" }, "记录入企（手工登记）");

  const fail = (text, code) => {
    message.hidden = false;
    replace(message, text, code ? h("span", { class: "muted" }, `（错误代码：${code}）`) : null);
  };

  async function onsubmit(event) {
    event.preventDefault();
    message.hidden = true;
    const extra = detail.value.replace(/\s+/g, " ").trim();
    if (!choice.value || (choice.value === "其他" && !extra)) return fail("请选择无法扫码的原因（选“其他”时写明）。");
    const file = photo.files && photo.files[0];
    if (!file) return fail("请拍一张企业场所（门头）的照片。");
    const reason = (extra ? `${choice.value}：${extra}` : choice.value).slice(0, MAX_REASON);
    submit.disabled = true;
    try {
      const visit = await get("visits", visitId);
      await judgeManual({ pack, inspectorId: context.inspectorId, state: visit && visit.state });
      const position = await currentPosition(5000);
      const added = await addPhoto(visitId, file, {
        purpose: "premises",
        ops: (sha256) => [["entry_scan", {
          reason, sha256, visit_token: pack.visit_token || null,
          latitude: position ? position.latitude : null, longitude: position ? position.longitude : null,
        }]],
      }, context);
      const op = added.ops.find((o) => o.kind === "entry_scan");
      const entry = await rememberManual(visitId, op, { reason, position });
      syncSoon();
      onDone(entry);
    } catch (error) {
      if (error instanceof CodeError) fail(entryRefusalText(error.code), error.code);
      else fail(`未能记录：${error.message}`);
    } finally {
      submit.disabled = false;
    }
  }

  return h("form", { id: "manual-form", class: "card", onsubmit },
    h("h2", {}, "无法扫码：手工登记入企"),
    h("p", { class: "muted" }, "场所码缺失或损坏时使用。需写明原因并拍摄企业场所照片，记录会标记为“手工登记”供审核。"),
    h("div", { class: "form-row" }, h("label", { for: "manual-reason" }, "原因"), choice),
    h("div", { class: "form-row" }, h("label", { for: "manual-detail" }, "说明"), detail),
    h("div", { class: "form-row" }, h("label", { for: "manual-photo" }, "企业场所照片（门头）"), photo),
    message, submit);
}
