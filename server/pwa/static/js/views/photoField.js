// Photos in the checklist: the "拍照" button (a file input with `capture`, no live camera:
// an iOS home-screen app would ask for the camera at every launch), the thumbnails of the
// photos linked to an item or to the visit, each with its upload state in words (上传中
// 42% / 已上传 / 等待网络), and teammates' photos from the server's thumbnail when online.
import { h, formatBytes, when } from "../dom.js";
import {
  addPhoto, photo as loadPhoto, previewUrl, progressOf, pendingPhotos,
  onPhotosChange, onPhotoProgress,
} from "../photos.js";
import { uploadStatus, onUploadStatus } from "../uploader.js";
import { photoLink, hlcTime, answerKey } from "../rules.js";
import { syncSoon } from "../syncer.js";

const REFUSED = {
  hash_mismatch: "文件已损坏（校验值不符）",
  unsupported_media_type: "不是 JPEG、PNG 或 HEIC 照片",
  photo_too_large: "照片过大",
  length_mismatch: "文件已损坏（长度不符）",
};

/** The photos the replica links to ``itemVersionId`` (null: the visit), in the order
 *  they were taken: [{sha256, revision}]. A detached photo is left out. */
export function linkedPhotos(states, itemVersionId) {
  const out = [];
  for (const [register, st] of states) {
    const link = photoLink(register);
    if (!link || link.item_version_id !== (itemVersionId ?? null) || st.value !== true) continue;
    out.push({ sha256: link.sha256, revision: st.winner });
  }
  return out.sort((a, b) => (a.revision.hlc < b.revision.hlc ? -1 : a.revision.hlc > b.revision.hlc ? 1 : 0));
}

/**
 * The photos of an item (``itemVersionId``) or of the visit (null), and, when
 * ``editable``, a "拍照" button. With ``field`` (a photo-required field) it shows the
 * field's answer (``only``: its photo's hash) and a new photo becomes the answer.
 * ``ctx``: {visitId, s (session), team, states, photos (sha256 → the phone's record)}.
 */
export function photoGallery(ctx, { itemVersionId = null, field = null, editable, only = null, id }) {
  const shown = field
    ? (only ? [{ sha256: only, revision: (ctx.states.get(answerKey(itemVersionId, field)) || {}).winner || null }] : [])
    : linkedPhotos(ctx.states, itemVersionId);
  const list = h("div", { class: "photos" }, shown.map((p) => thumbnail(ctx, p.sha256, p.revision)));
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const busy = h("p", { class: "muted", hidden: true }, "正在保存照片…");
  let take = null;
  if (editable) {
    const input = h("input", {
      id, type: "file", accept: "image/*", capture: "environment", class: "visually-hidden",
      async onchange(event) {
        const files = [...event.target.files];
        event.target.value = "";
        error.hidden = true;
        busy.hidden = false;
        for (const file of files) {
          try {
            const added = await addPhoto(ctx.visitId, file, { itemVersionId, field }, {
              device: ctx.s.device, inspectorId: ctx.s.user.inspector_id,
            });
            ctx.photos.set(added.sha256, await loadPhoto(added.sha256));
            const attached = added.ops.find((op) => op.kind === "attach_photo") || added.ops[0] || null;
            const revision = attached ? { hlc: attached.hlc, author_inspector_id: ctx.s.user.inspector_id } : null;
            if (field) list.replaceChildren();
            const known = list.querySelector(`[data-sha256="${added.sha256}"]`);
            if (!known) list.append(thumbnail(ctx, added.sha256, revision));
          } catch (e) {
            error.textContent = e.message;
            error.hidden = false;
          }
        }
        busy.hidden = true;
        syncSoon(); // the ops; the uploader already has the bytes
      },
    });
    take = h("label", { class: "button secondary photo-take", for: id }, field && only ? "重拍" : "拍照", input);
  }
  return h("div", { class: "gallery", dataset: { photos: itemVersionId ?? "visit" } },
    list, take, busy, error,
    !editable && !shown.length ? h("p", { class: "muted" }, "（无照片）") : null);
}

/** "本次检查待上传照片 N 张 (x MB)": the visit's share of the queue, kept current. */
export function queueSummary(visitId) {
  const line = h("p", { class: "photo-queue", role: "status" });
  const show = async () => {
    const { count, bytes } = await pendingPhotos(visitId);
    line.textContent = count ? `本次检查待上传照片 ${count} 张（${formatBytes(bytes)}）` : "本次检查的照片都已上传";
    line.dataset.count = String(count);
  };
  show();
  watch({ el: line, sha256: null, changed: show, progress() {}, status() {} });
  return line;
}

// --- one thumbnail ------------------------------------------------------------------------

// Thumbnails on screen, updated in place as uploads move (a re-render would reset the
// page under the inspector's thumb many times a second).
const live = new Set();
const UNSHOWN_MS = 10_000; // built but never put on the page: forgotten after this
onPhotosChange((sha256) => each((t) => (!sha256 || !t.sha256 || t.sha256 === sha256 ? t.changed() : null)));
onPhotoProgress((sha256) => each((t) => (t.sha256 === sha256 ? t.progress() : null)));
onUploadStatus(() => each((t) => t.status()));

function watch(entry) {
  live.add({ ...entry, since: Date.now(), seen: false });
}

function each(work) {
  for (const t of [...live]) {
    if (t.el.isConnected) t.seen = true;
    else if (t.seen || Date.now() - t.since > UNSHOWN_MS) { live.delete(t); continue; }
    work(t);
  }
}

function thumbnail(ctx, sha256, revision) {
  let record = ctx.photos.get(sha256) || null;
  const img = h("img", { alt: "照片", width: 96, height: 96, decoding: "async", hidden: true });
  const placeholder = h("span", { class: "photo-placeholder" }, "照片");
  const state = h("span", { class: "photo-state" });
  const bar = h("progress", { max: 100, value: 0, hidden: true, "aria-hidden": "true" });
  const member = revision && ctx.team.get(revision.author_inspector_id);
  const mine = !revision || revision.author_inspector_id === ctx.s.user.inspector_id;
  // when: the camera's EXIF time where the phone has the photo, else when it was attached
  const taken = record && record.taken_at ? `拍摄 ${record.taken_at.slice(5, 16).replace("T", " ")}` : null;
  const byline = revision || taken
    ? h("span", { class: "muted" }, `${mine ? "我" : (member ? member.name : "检查组成员")} · ${taken || when(hlcTime(revision.hlc))}`)
    : null;
  const fig = h("figure", { class: "photo", dataset: { sha256 } },
    h("div", { class: "frame" }, img, placeholder),
    h("figcaption", {}, state, bar, byline));

  const showImage = async () => {
    const local = previewUrl(record);
    const url = local || (await serverThumbnail(ctx.s, sha256));
    if (url) { img.src = url; placeholder.hidden = true; img.hidden = false; } else { img.hidden = true; placeholder.hidden = false; }
  };
  const showState = () => {
    const [text, kind] = stateWords(record, sha256);
    state.textContent = text;
    state.className = `photo-state ${kind}`;
    fig.dataset.state = kind;
    const p = progressOf(sha256);
    const sending = record && record.state !== "confirmed" && uploadStatus().current === sha256 && p;
    bar.hidden = !sending;
    if (sending) bar.value = Math.floor((100 * p.sent) / Math.max(1, p.total));
  };
  showImage();
  showState();
  watch({
    el: fig, sha256,
    async changed() {
      record = (await loadPhoto(sha256)) || record;
      if (record) ctx.photos.set(sha256, record);
      showState();
    },
    progress: showState,
    status: showState,
  });
  return fig;
}

/** The photo's state in words, and a kind for its look: said in words, never by colour. */
function stateWords(record, sha256) {
  if (!record) return ["检查组成员拍摄", "team"];
  if (record.state === "confirmed") return ["已上传", "ok"];
  if (record.state === "refused") return [`上传失败：${REFUSED[record.error] || record.error}`, "bad"];
  const upload = uploadStatus();
  const p = progressOf(sha256);
  if (upload.current === sha256) {
    return [`上传中 ${p ? Math.floor((100 * p.sent) / Math.max(1, p.total)) : 0}%`, "busy"];
  }
  if (upload.state === "offline" || !navigator.onLine) return ["等待网络", "offline"];
  return ["等待上传", "queued"];
}

// --- teammates' photos: the server's thumbnail -------------------------------------------

const thumbs = new Map(); // sha256 -> object URL, once fetched

/** An object URL of the server's thumbnail, or null (offline, or not uploaded yet). */
async function serverThumbnail(s, sha256) {
  if (thumbs.has(sha256)) return thumbs.get(sha256);
  if (!s || s.needsPassword) return null;
  try {
    const response = await fetch(`/api/v1/blobs/${sha256}/thumbnail`, {
      headers: { Authorization: `Bearer ${s.token}` }, credentials: "omit",
    });
    if (!response.ok) return null;
    const url = URL.createObjectURL(await response.blob());
    thumbs.set(sha256, url);
    return url;
  } catch (error) {
    return null; // no signal: the placeholder stays
  }
}
