// Calls to the server's API (/api/v1), with the bearer token and the device proof.
// Every error is the API's one shape {status, code, message, errors}; a request that
// never got an answer is an ApiError with code "offline".

const BASE = "/api/v1";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.code) || (status === 0 ? "offline" : "http_error");
    this.body = body || {};
  }
}

export async function call(path, { method = "GET", token, device, body, headers = {} } = {}) {
  const h = { Accept: "application/json", ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (device) h["X-Device-Credential"] = device.credential;
  if (body !== undefined) h["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(BASE + path, {
      method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store", credentials: "omit",
    });
  } catch (error) {
    throw new ApiError(0, { code: "offline", message: "无法连接服务器" });
  }
  if (response.status === 304) return { status: 304, headers: response.headers, body: null };
  let parsed = null;
  if (response.status !== 204) {
    try { parsed = await response.json(); } catch (error) { parsed = null; }
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return { status: response.status, headers: response.headers, body: parsed };
}
