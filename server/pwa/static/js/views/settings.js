// 我的 / 设置: who is signed in, this phone's storage, the backup of what waits to sync,
// and sign-out (refused while anything waits).
import { h, formatBytes, when } from "../dom.js";
import { session, signOut } from "../session.js";
import { exportBackup, pendingCount } from "../outbox.js";
import { syncStatus } from "../syncer.js";
import { appVersion } from "../updates.js";

export async function settingsView({ go }) {
  const s = session();
  const waiting = await pendingCount();
  const message = h("p", { role: "status" });
  const usage = h("p", { class: "muted" }, "正在读取存储用量…");
  if (navigator.storage && navigator.storage.estimate) {
    Promise.all([navigator.storage.estimate(), navigator.storage.persisted ? navigator.storage.persisted() : false])
      .then(([e, persisted]) => {
        usage.textContent = `本机已用 ${formatBytes(e.usage || 0)}，可用约 ${formatBytes(e.quota || 0)}。` +
          (persisted ? "存储已设为持久保存。" : "存储未设为持久保存：建议“添加到主屏幕”，以免长期不用时被浏览器清除。");
      }).catch(() => { usage.textContent = "无法读取存储用量。"; });
  } else {
    usage.textContent = "此浏览器不提供存储用量。";
  }
  const backup = h("button", {
    id: "export-backup", type: "button", class: "secondary",
    async onclick() {
      const blob = await exportBackup(s, s.device);
      const url = URL.createObjectURL(blob);
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "");
      const link = h("a", { href: url, download: `检查记录备份-${s.user.username}-${stamp}.json` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      message.textContent = `已导出 ${waiting} 条未同步记录。`;
    },
  }, "导出备份");
  const logout = h("button", {
    id: "sign-out", type: "button", class: "danger",
    async onclick() {
      try {
        await signOut();
        go("/app/login");
      } catch (e) {
        message.textContent = e.message;
        message.className = "error";
      }
    },
  }, "退出登录");
  const status = syncStatus();
  return [
    h("div", { class: "nav" }, h("a", { href: "/app/" }, "← 我的检查")),
    h("h1", {}, "我的"),
    h("table", { class: "kv card" }, h("tbody", {},
      h("tr", {}, h("th", {}, "账号"), h("td", {}, `${s.user.display_name || ""} ${s.user.username}`)),
      h("tr", {}, h("th", {}, "本机编号"), h("td", {}, s.device ? s.device.id.slice(0, 8) : "未登记")),
      h("tr", {}, h("th", {}, "待同步"), h("td", { id: "settings-pending" }, `${waiting} 条`)),
      h("tr", {}, h("th", {}, "上次同步"), h("td", {}, status.lastSync ? when(status.lastSync) : "—")),
      h("tr", {}, h("th", {}, "应用版本"), h("td", {}, appVersion() || "—")))),
    h("section", { class: "card" }, h("h2", {}, "存储"), usage,
      h("p", {}, "“导出备份”把尚未同步的记录保存为文件；手机损坏或数据被清除时，可由本人把文件交给服务器导入（不会重复）。"),
      h("div", { class: "toolbar" }, backup)),
    h("section", { class: "card" }, h("h2", {}, "退出"),
      h("p", {}, waiting ? `还有 ${waiting} 条未同步，暂不能退出。` : "退出后本机上的检查数据会被清除。"),
      h("div", { class: "toolbar" }, logout), message),
  ];
}
