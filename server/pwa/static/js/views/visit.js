// A visit's checklist (检查表): the company, the items grouped by department; the
// inspector's own department's items editable, the others' read-only with who answered
// them; notes per item and per visit; the company's and each item's result. Every change
// is recorded at once (outbox.record). Teammates' answers appear as they are pulled; a
// conflicted field shows its values side by side and takes a choice (a resolve op).
import { h, when } from "../dom.js";
import { get, getAll, kv } from "../store.js";
import { record } from "../outbox.js";
import { visitState } from "../replica.js";
import { answerKey, resultKey, hlcTime, newOpId, words as answerWords } from "../rules.js";
import { session } from "../session.js";
import { fieldInput, textArea } from "./fields.js";
import { photoGallery, queueSummary } from "./photoField.js";
import { photosOf } from "../photos.js";
import { VISIT_STATES, METHODS, reasonText, PROBLEMS } from "../words.js";
import { syncSoon } from "../syncer.js";
import { entryCard } from "./entryCard.js";
import { reviewBanner, finishCard } from "./finish.js";
import { beforeTheDoor } from "./beforeTheDoor.js";

export async function visitView({ params, go }) {
  const visitId = Number(params.id);
  const s = session();
  const [stored, visit, categories, refused, photos] = await Promise.all([
    get("packs", visitId), get("visits", visitId), kv.get("categories"), getAll("refused", "visit", visitId),
    photosOf(visitId),
  ]);
  if (!stored) {
    return [back(), h("p", { class: "card" }, "该检查尚未下载到本机：联网后点“全部下载离线使用”。")];
  }
  const pack = stored.pack;
  const states = await visitState(visitId);
  const team = new Map(pack.team.map((m) => [m.inspector_id, m]));
  const me = team.get(s.user.inspector_id);
  const myDepartment = me ? me.department_id : null;
  const state = (visit && visit.state) || pack.visit.state;
  const open = state === "issued" || state === "entered";
  const ctx = {
    visitId, s, states, team, open, categories: categories || [],
    photos: new Map(photos.map((p) => [p.sha256, p])),
  };

  const byDepartment = new Map();
  for (const item of pack.items) {
    if (!byDepartment.has(item.department_id)) byDepartment.set(item.department_id, []);
    byDepartment.get(item.department_id).push(item);
  }
  const departmentName = (id) => (pack.team.find((m) => m.department_id === id) || {}).department || `部门 ${id}`;
  const ordered = [...byDepartment.keys()].sort((a, b) => (a === myDepartment ? -1 : b === myDepartment ? 1 : a - b));
  const door = await entryCard({ visitId, pack, state, go });

  return [
    back(),
    h("h1", {}, pack.company.name),
    h("table", { class: "kv card" }, h("tbody", {},
      row("统一社会信用代码", pack.company.credit_code),
      row("地址", pack.company.address),
      row("法定代表人", pack.company.legal_representative),
      row("检查任务", pack.visit.task),
      row("检查时间", `${pack.visit.window_start} 至 ${pack.visit.window_end}`),
      row("状态", VISIT_STATES[state] || state),
      row("检查组", pack.team.map((m) => `${m.name}（${m.department}）`).join("、")),
    )),
    reviewBanner(visit),
    !open ? h("p", { class: "banner warn" }, h("p", {}, `该检查${VISIT_STATES[state] || state}，不再修改。`)) : null,
    open ? beforeTheDoor(pack.this_year) : null,
    door.card,
    refusedList(refused),
    door.closed ? h("p", { class: "card muted", id: "checklist-closed" }, `检查表共 ${pack.items.length} 个事项，入企后打开。`) : [
      h("section", { class: "card", "aria-labelledby": "company-result" },
        h("h2", { id: "company-result" }, "企业检查结果"),
        resultSelect(ctx, null, true),
        h("h3", {}, "检查备注"),
        notes(ctx, null)),
      h("section", { class: "card", "aria-labelledby": "visit-photos" },
        h("h2", { id: "visit-photos" }, "现场照片"),
        queueSummary(visitId),
        photoGallery(ctx, { itemVersionId: null, editable: open && !!me, id: "photo-visit" })),
      ordered.map((dept) => h("section", { class: "dept", dataset: { department: dept } },
        h("h2", {}, dept === myDepartment ? `${departmentName(dept)}（本部门）` : `${departmentName(dept)}（只读）`),
        byDepartment.get(dept).map((item) => itemCard(ctx, item, open && dept === myDepartment)))),
    ],
    finishCard(visitId, { ...(visit || {}), state }, go),
  ];

  function back() {
    return h("div", { class: "nav" }, h("a", { href: "/app/", onclick: (e) => { e.preventDefault(); go("/app/"); } }, "← 我的检查"));
  }
}

function row(label, value) {
  return h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, value || "—"));
}

function refusedList(refused) {
  if (!refused.length) return null;
  return h("section", { class: "card", "aria-labelledby": "refused-title" },
    h("h2", { id: "refused-title" }, "未被服务器接受的记录"),
    refused.map((r) => h("div", { class: "refused" },
      h("p", {}, `${when(r.at)} · ${reasonText(r.reason, r.message)}`),
      r.problems ? h("ul", {}, r.problems.map((p) => h("li", {}, PROBLEMS[p.problem] || p.problem))) : null)));
}

function itemCard(ctx, item, editable) {
  const fields = (item.form && item.form.fields) || [];
  return h("article", { class: editable ? "card" : "card readonly", dataset: { item: item.item_version_id } },
    h("h3", {}, item.name),
    h("div", { class: "meta" },
      h("span", {}, `事项编码 ${item.item_code}`), h("span", {}, METHODS[item.method] || item.method)),
    item.legal_basis ? h("details", {}, h("summary", {}, "检查依据"), h("p", {}, item.legal_basis)) : null,
    item.work_guide ? h("details", {}, h("summary", {}, "工作指引"), h("p", {}, item.work_guide)) : null,
    fields.map((field) => fieldBlock(ctx, item, field, editable)),
    h("div", { class: "field" }, h("div", { class: "label" }, "本事项照片"),
      // photos come from any member of the team (joint checklists), not only the item's department
      photoGallery(ctx, { itemVersionId: item.item_version_id, editable: ctx.open && ctx.team.has(ctx.s.user.inspector_id), id: `photo-${item.item_version_id}` })),
    h("div", { class: "field" }, h("div", { class: "label" }, "本事项结果"), resultSelect(ctx, item.item_version_id, editable)),
    h("div", { class: "field" }, h("div", { class: "label" }, "本事项备注"), notes(ctx, item.item_version_id)));
}

function fieldBlock(ctx, item, field, editable) {
  const register = answerKey(item.item_version_id, field.key);
  const st = ctx.states.get(register);
  const value = st ? st.value : null;
  const prefix = `f-${item.item_version_id}`;
  const save = (v) => answer(ctx, item, field, v, "set_answer");
  const photo = (v) => photoGallery(ctx, {
    itemVersionId: item.item_version_id, field: field.key, only: v, editable, id: `${prefix}-${field.key}`,
  });
  const { control, error, described } = fieldInput(field, value, { editable, onAnswer: save, idPrefix: prefix, photo });
  return h("div", { class: "field", dataset: { field: field.key, register } },
    h("div", { class: "label", id: `${prefix}-${field.key}-label` },
      h("label", { for: `${prefix}-${field.key}` }, field.label || field.key),
      described.required ? h("span", { class: "required", title: "必填" }, "*必填") : h("span", { class: "muted" }, "（选填）")),
    field.help ? h("p", { class: "muted" }, field.help) : null,
    control, error,
    st && st.winner ? who(ctx, st.winner) : null,
    st && st.conflicted ? conflictBox(ctx, item, field, st, editable) : null);
}

async function answer(ctx, item, field, value, kind, base) {
  await record(kind, ctx.visitId, { item_version_id: item.item_version_id, field: field.key, value, ...(base ? { base } : {}) }, context(ctx));
  syncSoon();
}

function context(ctx) {
  return { device: ctx.s.device, inspectorId: ctx.s.user.inspector_id };
}

/** "由 张三 于 10:42 填写" (pending: not yet on the server). */
function who(ctx, revision) {
  const member = ctx.team.get(revision.author_inspector_id);
  const name = revision.author_inspector_id === ctx.s.user.inspector_id ? "我" : (member ? member.name : "检查组成员");
  return h("p", { class: "who" }, `由 ${name} 于 ${when(hlcTime(revision.hlc))} 填写`, revision.pending ? "（待同步）" : "");
}

function conflictBox(ctx, item, field, st, editable) {
  return h("div", { class: "conflict", role: "group", "aria-label": "冲突" },
    h("h4", {}, "⚠ 冲突：检查组成员填写了不同的值"),
    st.siblings.map((sib) => {
      const member = ctx.team.get(sib.author_inspector_id);
      const isWinner = st.winner && sib.op_id === st.winner.op_id;
      return h("div", { class: "sibling", dataset: { op: sib.op_id } },
        h("span", { class: "value" }, answerWords(field, sib.value)),
        h("span", { class: "muted" }, `${member ? member.name : "成员"} · ${when(hlcTime(sib.hlc))}`),
        isWinner ? h("span", { class: "badge warn" }, "暂定采用") : null,
        editable && ctx.open ? h("button", {
          type: "button", class: "secondary",
          onclick: () => answer(ctx, item, field, sib.value, "resolve", st.heads.map((r) => r.op_id)),
        }, "采用此值") : null);
    }),
    editable && ctx.open ? h("p", { class: "muted" }, "也可以直接填写新的值，将以新值解决冲突。") : null);
}

function resultSelect(ctx, itemVersionId, editable) {
  const register = resultKey(itemVersionId);
  const st = ctx.states.get(register);
  const current = st ? st.value : null;
  const id = `result-${itemVersionId ?? "company"}`;
  const names = new Map(ctx.categories.map((c) => [c.code, c.name]));
  if (!editable || !ctx.open) {
    return h("p", { id }, current ? (names.get(current) || current) : "（未填写）");
  }
  const select = h("select", {
    id, "aria-label": itemVersionId ? "本事项结果" : "企业检查结果",
    async onchange(event) {
      if (!event.target.value) return;
      await record("set_result", ctx.visitId, { category: event.target.value, ...(itemVersionId ? { item_version_id: itemVersionId } : {}) }, context(ctx));
      syncSoon();
    },
  },
  h("option", { value: "" }, "— 请选择结果 —"),
  ctx.categories.map((c) => h("option", { value: c.code, selected: c.code === current }, c.name)));
  return h("div", {}, select, st && st.winner ? who(ctx, st.winner) : null,
    st && st.conflicted ? h("p", { class: "error" }, "结果有冲突：请重新选择") : null);
}

/** The notes on an item (or on the visit): teammates' read-only, the inspector's own one
 *  editable (the same note id for every edit of it). */
function notes(ctx, itemVersionId) {
  const mine = [];
  const others = [];
  for (const [register, st] of ctx.states) {
    if (!register.startsWith("n:") || !st.winner) continue;
    const about = st.revisions[0].item_version_id ?? null; // one note is about one thing
    if (about !== (itemVersionId ?? null)) continue;
    (st.winner.author_inspector_id === ctx.s.user.inspector_id ? mine : others).push({ register, st });
  }
  const own = mine[0];
  const noteId = own ? own.register.slice(2) : null;
  const id = `note-${itemVersionId ?? "visit"}`;
  let newId = noteId;
  return h("div", {},
    others.filter((o) => o.st.value).map((o) => h("div", { class: "card readonly" },
      h("p", {}, o.st.value), who(ctx, o.st.winner))),
    ctx.open ? textArea(id, own ? own.st.value : "", async (text) => {
      newId = newId || newOpId();
      await record("set_note", ctx.visitId, {
        note_id: newId, value: text === "" ? null : text, ...(itemVersionId ? { item_version_id: itemVersionId } : {}),
      }, context(ctx));
      syncSoon();
    }, { "aria-label": itemVersionId ? "本事项备注" : "检查备注", placeholder: "写下备注，自动保存" })
      : (own && own.st.value ? h("p", {}, own.st.value) : null));
}
