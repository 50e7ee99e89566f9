// Pieces every view shares: the alert region, the status line, busy buttons, form fields,
// tables (paged for long lists), file reading and downloads, and date formatting.

import { type Child, h, replace, uid } from "./dom";
import { host, HostError, toHostError } from "./host";

/** The one visible error region (role="alert"); shows `code: message` (with the inner code, if any). */
export const alertRegion = h("div", { class: "alert", role: "alert", "data-testid": "alert", hidden: true });
/** Polite success/progress notes. */
export const statusRegion = h("div", { class: "status-note", role: "status", "aria-live": "polite" });

export function showError(e: unknown): void {
  const err = toHostError(e);
  replace(
    alertRegion,
    h("span", { class: "alert-text", "data-testid": "alert-text" }, err.toString()),
    h("button", { type: "button", class: "icon-button dismiss", "aria-label": "Dismiss error", title: "Dismiss", "data-testid": "alert-dismiss", onclick: clearAlert }),
  );
  alertRegion.hidden = false;
}

export function clearAlert(): void {
  replace(alertRegion);
  alertRegion.hidden = true;
}

let statusTimer: number | undefined;
export function notify(text: string): void {
  statusRegion.textContent = text;
  window.clearTimeout(statusTimer);
  statusTimer = window.setTimeout(() => (statusRegion.textContent = ""), 6000);
}

/**
 * Runs a long operation from a button: disables it and shows `progress` on it until done.
 * Errors go to the alert region; the result (or undefined on error) is returned.
 */
export async function busy<T>(button: HTMLButtonElement, progress: string, work: () => Promise<T>): Promise<T | undefined> {
  const label = button.textContent ?? "";
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = progress;
  clearAlert();
  try {
    return await work();
  } catch (e) {
    showError(e);
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = label;
  }
}

/** Loads data into `target`, showing a loading line meanwhile and the error in the alert region. */
export async function load<T>(target: HTMLElement, fetch: () => Promise<T>, render: (value: T) => Child): Promise<void> {
  replace(target, h("p", { class: "muted loading" }, "Loading…"));
  try {
    const value = await fetch();
    replace(target, render(value));
  } catch (e) {
    replace(target, h("p", { class: "muted" }, "Could not load."));
    showError(e);
  }
}

/** A labelled form field; `hint` is shown under the control and linked with aria-describedby. */
export function field(label: string, control: HTMLElement, hint?: Child): HTMLElement {
  const id = control.id || uid("f");
  control.id = id;
  const hintEl = hint === undefined ? null : h("div", { class: "hint", id: `${id}-hint` }, hint);
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl);
}

export function button(text: string, attrs: Record<string, string>, onclick: (b: HTMLButtonElement) => void): HTMLButtonElement {
  const b = h("button", { type: "button", ...attrs }, text);
  b.addEventListener("click", () => onclick(b));
  return b;
}

export function table(headers: readonly string[], rows: readonly HTMLTableRowElement[], empty: string): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h(
    "div",
    { class: "table-wrap" },
    h("table", { class: "grid" }, h("thead", null, h("tr", null, headers.map((x) => h("th", { scope: "col" }, x)))), h("tbody", null, rows)),
  );
}

const pad = (n: number) => String(n).padStart(2, "0");
/** `YYYY-MM-DD HH:MM` in local time; "—" for null. */
export function formatDate(isoDate: string | null): string {
  if (isoDate === null) return "—";
  const d = new Date(isoDate);
  if (Number.isNaN(d.getTime())) return isoDate;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const DAY_MS = 86_400_000;
export function daysUntil(isoDate: string): number {
  return Math.floor((Date.parse(isoDate) - Date.now()) / DAY_MS);
}

/** A coloured badge for days left: expired, under 7, under 30, later. */
export function daysLeftBadge(days: number): HTMLElement {
  const cls = days < 0 ? "days-expired" : days < 7 ? "days-critical" : days < 30 ? "days-warn" : "days-ok";
  const text = days < 0 ? `expired ${-days} d ago` : days === 0 ? "today" : `${days} d`;
  return h("span", { class: `badge ${cls}` }, text);
}

export function yesNo(v: boolean): string {
  return v ? "Yes" : "No";
}

/** Rows per page in every list; a vault with thousands of objects renders one page at a time. */
export const PAGE_SIZE = 50;

/**
 * A table over `items` that renders one page of rows at a time, with a name filter and a pager
 * ("51–100 of 3,000"). Thousands of items cost one page of DOM, so scrolling and typing stay smooth.
 */
export function pagedTable<T>(opts: {
  items: readonly T[];
  headers: readonly string[];
  row: (item: T) => HTMLTableRowElement;
  empty: string;
  /** The text the filter box matches (case-insensitive substring); no filter box when absent. */
  text?: (item: T) => string;
  testid: string;
  pageSize?: number;
}): HTMLElement {
  const size = opts.pageSize ?? PAGE_SIZE;
  let page = 0;
  let shown: readonly T[] = opts.items;
  const body = h("div");
  const status = h("span", { class: "pager-status", "data-testid": `${opts.testid}-pager-status`, "aria-live": "polite" });
  const prev = h("button", { type: "button", class: "small", "data-testid": `${opts.testid}-prev`, "aria-label": "Previous page" }, "‹ Previous");
  const next = h("button", { type: "button", class: "small", "data-testid": `${opts.testid}-next`, "aria-label": "Next page" }, "Next ›");
  const filter = opts.text
    ? h("input", { type: "search", class: "filter-box", placeholder: "Filter by name", "aria-label": "Filter by name", "data-testid": `${opts.testid}-filter` })
    : null;
  const render = () => {
    const pages = Math.max(1, Math.ceil(shown.length / size));
    page = Math.min(page, pages - 1);
    const slice = shown.slice(page * size, (page + 1) * size);
    replace(body, table(opts.headers, slice.map(opts.row), shown.length === opts.items.length ? opts.empty : "Nothing matches the filter."));
    const from = shown.length === 0 ? 0 : page * size + 1;
    status.textContent = `${from}–${page * size + slice.length} of ${shown.length.toLocaleString("en")}`;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  };
  prev.addEventListener("click", () => ((page -= 1), render()));
  next.addEventListener("click", () => ((page += 1), render()));
  filter?.addEventListener("input", () => {
    const needle = filter.value.trim().toLowerCase();
    const text = opts.text;
    shown = needle === "" || !text ? opts.items : opts.items.filter((item) => text(item).toLowerCase().includes(needle));
    page = 0;
    render();
  });
  render();
  const pager = opts.items.length > size || filter ? h("div", { class: "pager", role: "navigation", "aria-label": "Pages" }, filter, h("span", { class: "spacer" }), status, prev, next) : null;
  return h("div", { class: "paged", "data-testid": opts.testid }, pager, body);
}

/**
 * A certificate file's bytes as standard base64, read in the page (the backend never opens import
 * files). A file larger than the backend accepts (`certificateFileLimit`) is refused unread, so a
 * huge file never fills the page's memory; the commands refuse such bytes too.
 */
export async function readCertificateFileBase64(file: File): Promise<string> {
  const limit = await host.certificateFileLimit();
  if (file.size > limit) {
    throw new HostError("BadParameter", `${file.name} is larger than ${limit} bytes, the most a certificate file can be; it was not read.`);
  }
  return readFileBase64(file);
}

/** The most a key file (JWK, PEM, .byok) can hold: the backend's limit for keys, 64 KiB. */
const KEY_FILE_LIMIT = 64 * 1024;

/** A key file's bytes as standard base64, read in the page; a larger file is refused unread (the commands refuse its bytes too). */
export async function readKeyFileBase64(file: File): Promise<string> {
  if (file.size > KEY_FILE_LIMIT) {
    throw new HostError("BadParameter", `${file.name} is larger than ${KEY_FILE_LIMIT} bytes, the most a key file can be; it was not read.`);
  }
  return readFileBase64(file);
}

/** A file's bytes as standard base64; callers check its size first. */
function readFileBase64(file: Blob): Promise<string> {
  return file.arrayBuffer().then(toBase64);
}

function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/**
 * A download: asks where to save (the save dialog), then lets `write` put the file there, showing
 * progress on `button`. Cancelling the dialog does nothing.
 */
export async function download(
  button: HTMLButtonElement,
  defaultName: string,
  filters: { name: string; extensions: string[] }[],
  write: (path: string) => Promise<{ path: string; bytes: number }>,
): Promise<void> {
  const saved = await busy(button, "Saving…", async () => {
    const path = await host.pickSavePath(defaultName, filters);
    return path === null ? null : write(path);
  });
  if (saved) notify(`Saved ${saved.bytes.toLocaleString("en")} bytes to ${saved.path}.`);
}

/** `<input type=datetime-local>` value (local time) → ISO-8601 UTC, or null when empty. */
export function localInputToIso(value: string): string | null {
  if (value.trim() === "") return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** ISO-8601 → `<input type=datetime-local>` value in local time ("" for null). */
export function isoToLocalInput(iso: string | null): string {
  if (iso === null) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
