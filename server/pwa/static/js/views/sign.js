// Signatures (签字确认): each team member signs on their own phone over the checklist hash
// (core/checklist.js, what the server checks for the `sign` op: docs/sync-protocol.md
// sections 4, 8, 9); the company's representative signs with their name and an optional
// statement (当事人签字 / 当事人意见), or the inspectors record the refusal (当事人拒绝签字),
// with the `company_sign` op. A signature made before a later answer is stale: it is shown
// with the reason and the signer is asked to sign again.
//
// The signature image is a PNG in the durable photo queue (photos.js addBlob): its bytes
// and the op naming them are written in one IndexedDB transaction, and uploaded like any
// photo. Nothing the inspector drew lives only in the page once confirmed.
import SignaturePad from "../../vendor/signature_pad.js";
import { h } from "../dom.js";
import { get } from "../store.js";
import { record } from "../outbox.js";
import { addBlob, photo, previewUrl } from "../photos.js";
import { visitState } from "../replica.js";
import { session } from "../session.js";
import { syncSoon } from "../syncer.js";
import { currentHash, signatureStates, companySignature } from "../signatures.js";

export async function signView({ params, go }) {
  const visitId = Number(params.id);
  const s = session();
  const stored = await get("packs", visitId);
  if (!stored) return [back(visitId, go), h("p", { class: "card" }, "该检查尚未下载到本机。")];
  const pack = stored.pack;
  const visit = (await get("visits", visitId)) || pack.visit;
  const states = await visitState(visitId);
  const current = await currentHash(states);
  const team = signatureStates(pack.team, states, current);
  const mine = team.find((m) => m.inspector_id === s.user.inspector_id);
  const open = visit.state === "issued" || visit.state === "entered";
  const context = { device: s.device, inspectorId: s.user.inspector_id };
  const onSite = pack.items.some((i) => i.method === "on_site");
  const company = companySignature(states);

  return [
    back(visitId, go),
    h("h1", {}, "签字确认"),
    h("p", {}, pack.company.name),
    h("p", { class: "muted" }, `检查表摘要码 ${current.slice(0, 12)}（签字即确认此时检查表的全部内容）`),
    h("section", { class: "card", "aria-labelledby": "team-signatures" },
      h("h2", { id: "team-signatures" }, "检查人员签字"),
      h("ul", { class: "signers" }, team.map((m) => h("li", { dataset: { inspector: m.inspector_id, signature: m.state } },
        h("span", {}, `${m.name}（${m.department}）`),
        h("span", { class: `badge ${m.state === "current" ? "ok" : "warn"}` }, SIGNATURE_WORDS[m.state]))))),
    mine ? mySignature(mine) : h("p", { class: "card" }, "您不在该检查组中，不能签字。"),
    onSite ? companySection() : null,
  ];

  function mySignature(me) {
    const section = h("section", { class: "card", id: "my-signature", "aria-labelledby": "my-signature-title" },
      h("h2", { id: "my-signature-title" }, "本人签字"));
    if (me.state === "current") {
      section.append(h("p", { class: "ok-text" }, "✓ 您已对当前检查表签字。"), image(me.sha256));
      return section;
    }
    if (me.state === "stale") {
      section.append(h("p", { class: "banner warn" }, h("p", {}, "您签字后检查表有改动，原签字已失效：请核对后重新签字。")), image(me.sha256));
    }
    if (!open) { section.append(h("p", { class: "muted" }, "该检查已提交，不能再签字。")); return section; }
    section.append(pad("sign-pad", "确认签字", async (blob) => {
      await addBlob(visitId, blob, { purpose: "signature", ops: (sha256) => [["sign", { sha256, state_hash: current }]] }, context);
      syncSoon();
      go(location.pathname, { replace: true });
    }));
    return section;
  }

  function companySection() {
    const section = h("section", { class: "card", id: "company-signature", "aria-labelledby": "company-signature-title" },
      h("h2", { id: "company-signature-title" }, "被检查单位签字（当事人签字）"));
    if (company) {
      section.append(company.value.refused
        ? h("p", { dataset: { company: "refused" } }, `当事人拒绝签字。检查人员记录：${company.value.reason}`)
        : h("div", { dataset: { company: "signed" } },
          h("p", {}, `当事人 ${company.value.representative} 已签字${company.value.state_hash === current ? "" : "（签字后检查表有改动，笔录将注明）"}`),
          company.value.statement ? h("p", {}, `当事人意见：${company.value.statement}`) : null,
          image(company.value.sha256)));
      if (company.conflicted) section.append(h("p", { class: "error" }, "当事人签字有冲突：请重新记录。"));
      if (!company.conflicted || !open) return section;
    }
    if (!open) return section;
    const name = h("input", { id: "representative", type: "text", maxlength: 100, value: pack.company.legal_representative || "", autocomplete: "off" });
    const statement = h("textarea", { id: "statement", maxlength: 2000, placeholder: "如：对检查结果无异议（可不填）" });
    const message = h("p", { class: "error", role: "alert", hidden: true });
    const fail = (text) => { message.textContent = text; message.hidden = false; };
    const signing = h("div", {},
      h("div", { class: "form-row" }, h("label", { for: "representative" }, "当事人姓名"), name),
      h("div", { class: "form-row" }, h("label", { for: "statement" }, "当事人意见（选填）"), statement),
      pad("company-pad", "当事人确认签字", async (blob) => {
        const representative = name.value.trim();
        if (!representative) { fail("请填写当事人姓名"); throw new Error("no name"); }
        await addBlob(visitId, blob, { purpose: "signature", ops: (sha256) => [["company_sign", {
          representative, statement: statement.value.trim() || null, sha256, state_hash: current,
        }]] }, context);
        syncSoon();
        go(location.pathname, { replace: true });
      }), message);
    const reason = h("textarea", { id: "refusal-reason", maxlength: 2000, placeholder: "如：当事人拒绝签字，由检查人员张三、李四在场见证" });
    const refusal = h("details", { class: "refusal" }, h("summary", {}, "当事人拒绝签字"),
      h("div", { class: "form-row" }, h("label", { for: "refusal-reason" }, "检查人员记录拒签情况"), reason),
      h("button", {
        type: "button", class: "danger", id: "record-refusal",
        async onclick() {
          const text = reason.value.trim();
          if (!text) { fail("请记录拒签情况"); return; }
          await record("company_sign", visitId, { refused: true, reason: text, state_hash: current }, context);
          syncSoon();
          go(location.pathname, { replace: true });
        },
      }, "记录拒签"));
    section.append(signing, refusal);
    return section;
  }

  function image(sha256) {
    const img = h("img", { class: "signature-image", alt: "签字图片", hidden: true });
    photo(sha256).then((p) => {
      const url = previewUrl(p);
      if (url) { img.src = url; img.hidden = false; }
    }).catch(() => {});
    return img;
  }
}

const SIGNATURE_WORDS = { current: "已签字", stale: "签字已失效，需重新签字", missing: "未签字", conflicted: "签字有冲突" };

function back(visitId, go) {
  return h("div", { class: "nav" }, h("a", {
    href: `/app/visits/${visitId}`, onclick: (e) => { e.preventDefault(); go(`/app/visits/${visitId}`); },
  }, "← 返回检查表"));
}

/** A signature pad with 清除 and a confirm button; ``done(pngBlob)`` records it. While it
 *  holds strokes it is marked dirty, so a pull does not redraw the page under the pen. */
function pad(id, label, done) {
  const canvas = h("canvas", { id, class: "signature-pad", "aria-label": "签字区：请在此处手写签名" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  let signaturePad = null;
  const confirm = h("button", {
    type: "button", id: `${id}-confirm`, disabled: true,
    async onclick() {
      if (!signaturePad || signaturePad.isEmpty()) return;
      confirm.disabled = true;
      try {
        const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
        await done(blob);
        delete canvas.dataset.dirty;
      } catch (e) {
        if (e.message !== "no name") { error.textContent = e.message; error.hidden = false; }
        confirm.disabled = false;
      }
    },
  }, label);
  const clear = h("button", {
    type: "button", class: "secondary",
    onclick() { if (signaturePad) signaturePad.clear(); delete canvas.dataset.dirty; confirm.disabled = true; },
  }, "清除");
  requestAnimationFrame(() => {
    if (!canvas.isConnected) return;
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    // a white background: the PNG is printed on the record, where transparent is black
    signaturePad = new SignaturePad(canvas, { backgroundColor: "rgb(255,255,255)", penColor: "#000" });
    signaturePad.addEventListener("endStroke", () => { canvas.dataset.dirty = "1"; confirm.disabled = false; });
  });
  return h("div", { class: "pad" }, canvas, h("div", { class: "toolbar" }, clear, confirm), error);
}
