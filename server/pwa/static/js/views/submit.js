// Submission (完成检查): before sending, the problems the server would answer a `submit`
// op with (core/submission.js, the port of sync/submission.py), in Chinese and naming the
// item, field, member or department; then whether the server holds every photo and
// signature image the visit names (blobs/missing: evidence never uploaded is evidence
// lost). 完成检查 is refused until both are clear; the `submit` op then goes through the
// outbox like any other, and the server judges it again.
import { h } from "../dom.js";
import { get } from "../store.js";
import { record, pendingOps } from "../outbox.js";
import { visitState } from "../replica.js";
import { session } from "../session.js";
import { syncSoon } from "../syncer.js";
import { unconfirmed } from "../photos.js";
import { missingOnServer, uploadSoon } from "../uploader.js";
import { submissionProblems } from "../core/submission.js";
import { RegisterKey } from "../core/registerKey.js";
import { currentHash, namedImages } from "../signatures.js";
import { PROBLEMS, VISIT_STATES } from "../words.js";

export async function submitView({ params, go }) {
  const visitId = Number(params.id);
  const s = session();
  const stored = await get("packs", visitId);
  if (!stored) return [back(visitId, go), h("p", { class: "card" }, "该检查尚未下载到本机。")];
  const pack = stored.pack;
  const visit = (await get("visits", visitId)) || pack.visit;
  const states = await visitState(visitId);
  const outbox = (await pendingOps()).filter((e) => e.visit_id === visitId);
  const entered = visit.state !== "issued" || outbox.some((e) => e.op.kind === "entry_scan");
  const problems = await submissionProblems({ entered, items: pack.items, team: pack.team, registers: states });
  const open = visit.state === "issued" || visit.state === "entered";
  const submitting = outbox.some((e) => e.op.kind === "submit");
  const words = describer(pack, states);

  const waitingHere = await unconfirmed(visitId);
  const photoFields = new Set(pack.items.flatMap((i) => ((i.form && i.form.fields) || [])
    .filter((f) => f.type === "photo").map((f) => `${i.item_version_id}:${f.key}`)));
  const images = namedImages(states, photoFields);
  let missing = null; // null: not known (offline)
  try {
    missing = images.length ? [...await missingOnServer(images)] : [];
  } catch (error) {
    missing = null;
  }
  if (waitingHere.length) uploadSoon();
  const blobsReady = missing !== null && missing.length === 0 && waitingHere.length === 0;
  const ready = open && !submitting && problems.length === 0 && blobsReady;

  const message = h("p", { role: "status", id: "submit-message" });
  const finish = h("button", {
    id: "finish", type: "button", disabled: !ready,
    async onclick() {
      finish.disabled = true;
      await record("submit", visitId, {}, { device: s.device, inspectorId: s.user.inspector_id });
      message.textContent = "已提交，等待服务器确认…";
      await syncSoon();
      go(`/app/visits/${visitId}`);
    },
  }, "完成检查");

  return [
    back(visitId, go),
    h("h1", {}, "完成检查"),
    h("p", {}, pack.company.name),
    !open ? h("p", { class: "banner" }, h("p", {}, `该检查${VISIT_STATES[visit.state] || visit.state}。`)) : null,
    h("section", { class: "card", id: "submit-check", dataset: { problems: problems.length }, "aria-labelledby": "check-title" },
      h("h2", { id: "check-title" }, "提交前检查"),
      problems.length
        ? [h("p", { class: "error" }, `还有 ${problems.length} 个问题，解决后才能提交：`),
          h("ul", { class: "problems" }, problems.map((p) => h("li", { dataset: { problem: p.problem } }, words(p))))]
        : h("p", { class: "ok-text" }, "✓ 检查表、结果和签字都已齐全")),
    h("section", { class: "card", id: "submit-blobs", dataset: { ready: blobsReady ? "1" : "0" }, "aria-labelledby": "blobs-title" },
      h("h2", { id: "blobs-title" }, "照片和签字图片"),
      waitingHere.length ? h("p", { class: "error" }, `本机还有 ${waitingHere.length} 张照片或签字图片未上传完成`) : null,
      missing === null ? h("p", { class: "error" }, "需要联网，确认服务器已收到全部照片和签字图片")
        : missing.length ? h("p", { class: "error" }, `服务器还缺 ${missing.length} 张照片或签字图片（可能在队友的手机上，请队友联网同步）`)
          : h("p", { class: "ok-text" }, `✓ 服务器已收到全部 ${images.length} 张照片和签字图片`)),
    submitting ? h("p", { class: "banner" }, h("p", {}, "已提交，等待同步到服务器。")) : null,
    h("div", { class: "toolbar" }, finish), message,
  ];
}

function back(visitId, go) {
  return h("div", { class: "nav" }, h("a", {
    href: `/app/visits/${visitId}`, onclick: (e) => { e.preventDefault(); go(`/app/visits/${visitId}`); },
  }, "← 返回检查表"));
}

/** A problem in words, naming what it is about (the item and field, the member, the
 *  department) from the pack. */
function describer(pack, states) {
  const items = new Map(pack.items.map((i) => [i.item_version_id, i]));
  const members = new Map(pack.team.map((m) => [m.inspector_id, m]));
  const departments = new Map(pack.team.map((m) => [m.department_id, m.department]));
  const fieldLabel = (itemId, key) => {
    const item = items.get(itemId);
    const field = item && ((item.form && item.form.fields) || []).find((f) => f.key === key);
    return `${item ? item.name : `事项 ${itemId}`} · ${field ? field.label || key : key}`;
  };
  return (p) => {
    const base = PROBLEMS[p.problem] || p.problem;
    switch (p.problem) {
      case "unanswered": return `${base}：${fieldLabel(p.item_version_id, p.field)}`;
      case "conflicted": return `${base}：${registerWords(p.register, fieldLabel, members)}`;
      case "signature_stale": return `${(members.get(p.inspector_id) || {}).name || "检查人员"}：${base}`;
      case "signatures_missing": return `${base}（已有 ${p.signed} 人签字，需 ${p.needed} 人）`;
      case "department_unsigned": return `${departments.get(p.department_id) || `部门 ${p.department_id}`}：${base}`;
      default: return base;
    }
  };
}

function registerWords(register, fieldLabel, members) {
  const key = RegisterKey.parse(register);
  if (key.isAnswer) return fieldLabel(key.item_version_id, key.field);
  if (key.isResult) return key.item_version_id === null ? "企业检查结果" : "事项结果";
  if (key.isSignature) return `${(members.get(key.inspector_id) || {}).name || "检查人员"}的签字`;
  if (key.isCompanySignature) return "当事人签字";
  if (key.isPhoto) return "照片";
  return "备注";
}
