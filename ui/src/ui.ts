// Pieces every view shares: the alert region, the status line, busy buttons, form fields,
// tables and date formatting. Nothing here talks to the host.

import { type Child, h, replace, uid } from "./dom";
import { toHostError } from "./host";

/** The one visible error region (role="alert"); shows `code: message`. */
export const alertRegion = h("div", { class: "alert", role: "alert", "data-testid": "alert", hidden: true });
/** Polite success/progress notes. */
export const statusRegion = h("div", { class: "status-note", role: "status", "aria-live": "polite" });

export function showError(e: unknown): void {
  const err = toHostError(e);
  replace(
    alertRegion,
    h("span", { class: "alert-text", "data-testid": "alert-text" }, `${err.code}: ${err.message}`),
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
