// The on-site record (现场检查笔录) of a submitted visit, opened from the phone when online.
// The API wants the bearer token (GET /visits/{id}/record.pdf), which a plain link cannot
// carry: the app fetches the PDF and opens it from a blob URL.
import { ApiError } from "./api.js";
import { session } from "./session.js";

/** Fetches the record and opens it in a new tab; an ApiError when the server refuses
 *  (not_submitted) or cannot be reached (offline). */
export async function openRecord(visitId) {
  const s = session();
  let response;
  try {
    response = await fetch(`/api/v1/visits/${visitId}/record.pdf`, {
      headers: { Authorization: `Bearer ${s.token}`, Accept: "application/pdf" },
      cache: "no-store", credentials: "omit",
    });
  } catch (error) {
    throw new ApiError(0, { code: "offline", message: "无法连接服务器" });
  }
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch (error) { body = null; }
    throw new ApiError(response.status, body);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, target: "_blank", rel: "noopener" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return url;
}
