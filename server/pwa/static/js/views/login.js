// Sign-in: the first time on this phone, or again after the token expired (then only the
// password is asked, and nothing recorded meanwhile is touched).
import { h } from "../dom.js";
import { signIn, session } from "../session.js";
import { reasonText } from "../words.js";

export function loginView({ go, again = false }) {
  const known = session();
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const username = h("input", {
    id: "username", name: "username", type: "text", autocomplete: "username", required: true,
    autocapitalize: "none", spellcheck: "false", value: known ? known.user.username : "",
    readonly: again && known ? true : null,
  });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const button = h("button", { id: "login-submit", type: "submit" }, again ? "继续同步" : "登录");
  const form = h("form", {
    class: "card",
    async onsubmit(event) {
      event.preventDefault();
      error.hidden = true;
      button.disabled = true;
      try {
        await signIn(username.value.trim(), password.value);
        go("/app/");
      } catch (e) {
        error.textContent = e.code === "offline" ? "现在没有网络：联网后再登录。已记录的内容都保存在本机。" : reasonText(e.code, e.message);
        error.hidden = false;
      } finally {
        button.disabled = false;
      }
    },
  },
  h("div", { class: "form-row" }, h("label", { for: "username" }, "用户名"), username),
  h("div", { class: "form-row" }, h("label", { for: "password" }, "密码"), password),
  error, button);
  return [
    h("h1", {}, again ? "登录已过期" : "检查人员登录"),
    again ? h("p", {}, "请重新输入密码。离线期间记录的内容都在本机，登录后自动同步。") : h("p", { class: "muted" }, "密码不会保存在手机上。"),
    form,
  ];
}
