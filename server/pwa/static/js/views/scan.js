// 扫码入企: the rear camera reads the premises code, the phone judges it with the pack's
// public keys as the server will (js/entry.js, core/entry.js) and records the entry with
// the position; a refusal says why in Chinese with the server's code and records nothing.
// Without a live camera a still photo is read instead; without a readable code, a manual
// entry with a reason and a photo of the premises (flagged).
import { h, replace, when } from "../dom.js";
import { get } from "../store.js";
import { session } from "../session.js";
import { syncSoon } from "../syncer.js";
import { qrReader, judge, recordScan, currentPosition, localEntry } from "../entry.js";
import { entryRefusalText } from "../words.js";
import { CodeError } from "../core/codes.js";
import { entrySummary } from "./entrySummary.js";
import { manualEntryForm } from "./manualEntry.js";

const SCAN_EVERY_MS = 250;
const POSITION_WAIT_MS = 5000; // after the code is read, how long the position may still take

export async function scanView({ params, go }) {
  const visitId = Number(params.id);
  const s = session();
  const [stored, visit] = await Promise.all([get("packs", visitId), get("visits", visitId)]);
  const backLink = h("div", { class: "nav" }, h("a", { href: `/app/visits/${visitId}` }, "← 返回检查"));
  if (!stored) return [backLink, h("p", { class: "card" }, "该检查尚未下载到本机：联网后下载再扫码。")];
  const pack = stored.pack;
  const context = { device: s.device, inspectorId: s.user.inspector_id };
  const state = (visit && visit.state) || pack.visit.state;
  const entered = await localEntry(visitId);

  const status = h("p", { id: "scan-status", class: "scan-status", role: "status", dataset: { state: "starting" } }, "正在打开相机…");
  const video = h("video", { id: "scan-video", playsinline: true, muted: true, autoplay: true, "aria-label": "相机画面" });
  const result = h("div", { id: "scan-result", "aria-live": "assertive" });
  const still = h("input", { id: "scan-photo", type: "file", accept: "image/*", capture: "environment", class: "visually-hidden" });
  const scanner = h("div", { class: "scanner" }, video, h("div", { class: "frame", "aria-hidden": "true" }));
  const manual = manualEntryForm({ visitId, pack, context, onDone: (entry) => showEntered(entry) });
  manual.hidden = true;
  const where = currentPosition();
  let stream = null;
  let busy = false; // judging a code, recording the entry
  let paused = false; // a refusal is shown: the camera waits for 重新扫码
  let done = false;

  const setStatus = (text, stateName) => { status.textContent = text; status.dataset.state = stateName; };

  function stop() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
  }

  async function startCamera() {
    if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) {
      setStatus("此浏览器不能打开相机：请用“拍照识别”或手工登记。", "no-camera");
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
    } catch (error) {
      setStatus(`无法打开相机（${error.name === "NotAllowedError" ? "未允许使用相机" : "没有可用的相机"}）：请用“拍照识别”或手工登记。`, "no-camera");
      return;
    }
    if (!video.isConnected) { stop(); return; }
    video.srcObject = stream;
    await video.play().catch(() => {});
    setStatus("将场所码放入框内，自动识别", "scanning");
    const reader = await qrReader();
    const tick = async () => {
      if (!video.isConnected || done) { stop(); return; }
      if (!busy && !paused && video.readyState >= 2) {
        try {
          const [text] = await reader.detect(video);
          if (text && !busy && !paused && !done) await found(text);
        } catch (error) {
          console.warn("scan", error);
        }
      }
      setTimeout(tick, SCAN_EVERY_MS);
    };
    tick();
  }

  async function found(text) {
    busy = true;
    replace(result);
    const at = Date.now();
    setStatus("已识别，正在核验…", "judging");
    try {
      const payload = await judge(text, { pack, inspectorId: s.user.inspector_id, state, at });
      setStatus("核验通过，正在获取定位…", "locating");
      const position = await Promise.race([where, new Promise((r) => setTimeout(() => r(null), POSITION_WAIT_MS))]);
      const entry = await recordScan(visitId, { pack, scanned: text, position, context });
      syncSoon();
      showEntered({ ...entry, premises_version: payload.n });
    } catch (error) {
      if (error instanceof CodeError) refuse(error.code);
      else setStatus(`未能记录入企：${error.message}`, "failed");
    } finally {
      busy = false;
    }
  }

  function refuse(code) {
    paused = true;
    setStatus("未能入企", "refused");
    replace(result, h("section", { id: "entry-refused", class: "card outcome bad", role: "alert", dataset: { code } },
      h("h2", {}, "✗ 不能入企"),
      h("p", { class: "reason" }, entryRefusalText(code)),
      h("p", { class: "muted" }, `错误代码：${code}`),
      h("p", {}, "本次扫码未作任何记录。"),
      h("div", { class: "toolbar" },
        h("button", { type: "button", id: "scan-again", onclick() { replace(result); paused = false; setStatus("将场所码放入框内，自动识别", stream ? "scanning" : "no-camera"); } }, "重新扫码"))));
  }

  function showEntered(entry) {
    done = true;
    stop();
    scanner.hidden = true;
    controls.hidden = true;
    manual.hidden = true;
    setStatus("已入企", "entered");
    replace(result, h("section", { id: "entry-ok", class: "card outcome ok", role: "status" },
      h("h2", {}, "✓ 已记录入企"),
      entrySummary(pack, entry),
      h("div", { class: "toolbar" }, h("a", { class: "button", href: `/app/visits/${visitId}`, id: "start-checking" }, "开始检查"))));
  }

  still.addEventListener("change", async () => {
    const file = still.files && still.files[0];
    still.value = "";
    if (!file || busy || done) return;
    setStatus("正在识别照片…", "reading");
    try {
      const [text] = await (await qrReader()).detect(await createImageBitmap(file));
      if (text) await found(text);
      else setStatus("照片中没有识别到二维码：请靠近、对准后重拍。", stream ? "scanning" : "no-camera");
    } catch (error) {
      setStatus(`无法识别这张照片（${error.message}）`, "no-camera");
    }
  });

  const controls = h("div", { class: "toolbar" },
    h("label", { class: "button secondary", for: "scan-photo" }, "拍照识别"),
    h("button", { type: "button", class: "secondary", id: "manual-entry", onclick() { manual.hidden = false; manual.scrollIntoView(); } }, "无法扫码：手工登记"));

  const page = [
    backLink,
    h("h1", {}, "扫码入企"),
    h("p", { class: "muted" }, `${pack.company.name} · ${pack.company.credit_code}`),
    entered && !entered.refused ? h("p", { class: "banner" }, h("p", {}, `本机已于 ${when(entered.at)} 记录入企，可再次扫码。`)) : null,
    scanner, status, still, controls, result, manual,
  ];
  if (state !== "issued" && state !== "entered") {
    refuse("visit_closed");
    scanner.hidden = true;
    controls.hidden = true;
  } else {
    setTimeout(startCamera, 0);
  }
  return page;
}
