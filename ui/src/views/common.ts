// Pieces the object views (keys, secrets, deleted objects) share and ui.ts does not have: the
// attributes editor of a version (enabled, activation, expiry), tags as `name=value` lines, a
// name that opens a details pane, an in-page confirm step for destructive actions, and copying
// non-secret text to the clipboard.
// Left out: anything that talks to the backend by itself; callers pass the work in.

import { type Child, h, replace } from "../dom";
import { type AttributesInput, HostError } from "../host";
import { busy, field, isoToLocalInput, localInputToIso } from "../ui";

/** Key Vault allows at most 15 tags per object. */
export const MAX_TAGS = 15;

/** `name=value` lines → tags; blank lines are skipped. Throws a BadParameter naming the bad line. */
export function parseTags(text: string): Record<string, string> | null {
  const tags: Record<string, string> = {};
  let count = 0;
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const eq = line.indexOf("=");
    if (eq <= 0) throw new HostError("BadParameter", `Tag line ${i + 1} needs the form name=value.`);
    tags[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    count += 1;
  }
  if (count > MAX_TAGS) throw new HostError("BadParameter", `At most ${MAX_TAGS} tags; there are ${count}.`);
  return count === 0 ? null : tags;
}

/** Tags → `name=value` lines, sorted by name. */
export function formatTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
}

/** An activation or expiry input (datetime-local) with a matching label. */
export function dateInput(testid: string, iso: string | null = null): HTMLInputElement {
  return h("input", { type: "datetime-local", "data-testid": testid, value: isoToLocalInput(iso) });
}

/** Reads a datetime-local input as ISO-8601 UTC, or null when empty; a half-typed date is an error. */
export function dateValue(input: HTMLInputElement, what: string): string | null {
  if (input.value.trim() === "") return null;
  const iso = localInputToIso(input.value);
  if (iso === null) throw new HostError("BadParameter", `The ${what} is not a valid date and time.`);
  return iso;
}

/**
 * The editable attributes of one version: enabled, activation date and expiry, plus any
 * `extra` fields (a secret's content type), with a Save button running `save`. With `readOnly`
 * the controls are disabled and there is no Save.
 */
export function attributesEditor(opts: {
  testid: string;
  enabled: boolean;
  notBefore: string | null;
  expires: string | null;
  extra?: HTMLElement[];
  readOnly?: boolean;
  save: (attributes: AttributesInput) => Promise<unknown>;
}): HTMLElement {
  const enabled = h("input", { type: "checkbox", "data-testid": `${opts.testid}-enabled`, checked: opts.enabled });
  const notBefore = dateInput(`${opts.testid}-not-before`, opts.notBefore);
  const expires = dateInput(`${opts.testid}-expires`, opts.expires);
  const controls: (HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement)[] = [enabled, notBefore, expires];
  for (const x of opts.extra ?? []) controls.push(...x.querySelectorAll<HTMLInputElement>("input, select, textarea"));
  const save = h("button", { type: "submit", class: "primary", "data-testid": `${opts.testid}-save` }, "Save");
  const form = h(
    "form",
    { class: "inline-form attributes", novalidate: true, "aria-label": "Version settings" },
    h("div", { class: "row checks" }, h("label", null, enabled, "Enabled")),
    h("div", { class: "row" }, field("Activation date", notBefore, "Local time; empty for none."), field("Expiration date", expires, "Local time; empty for none.")),
    opts.extra,
    opts.readOnly ? null : h("div", { class: "actions" }, save),
  );
  if (opts.readOnly) for (const c of controls) c.disabled = true;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void busy(save, "Saving…", () =>
      opts.save({ enabled: enabled.checked, notBefore: dateValue(notBefore, "activation date"), expires: dateValue(expires, "expiration date") }),
    );
  });
  return form;
}

/** An object's name as a link-styled button (keyboard reachable) that opens its details. */
export function nameButton(name: string, testid: string, open: () => void): HTMLButtonElement {
  return h("button", { type: "button", class: "link", "data-testid": testid, "aria-label": `Open details of ${name}`, onclick: open }, name);
}

/**
 * A destructive action with a confirm step in the page (no window.confirm): the first click
 * swaps the button for "question [confirm] [Cancel]"; confirm runs `work` on the confirm button.
 */
export function confirmButton(opts: {
  label: string;
  testid: string;
  ariaLabel: string;
  question: string;
  confirmLabel: string;
  progress: string;
  work: () => Promise<unknown>;
  done: () => void;
}): HTMLElement {
  const slot = h("span", { class: "confirm-slot" });
  const initial = (): HTMLButtonElement =>
    h("button", { type: "button", class: "small danger", "data-testid": opts.testid, "aria-label": opts.ariaLabel, onclick: ask }, opts.label);
  function ask(): void {
    const yes = h("button", { type: "button", class: "small danger", "data-testid": `${opts.testid}-confirm` }, opts.confirmLabel);
    const no = h("button", { type: "button", class: "small", "data-testid": `${opts.testid}-cancel` }, "Cancel");
    yes.addEventListener("click", () => {
      void busy(yes, opts.progress, async () => {
        await opts.work();
        return true;
      }).then((ok) => {
        if (ok) opts.done();
      });
    });
    no.addEventListener("click", () => {
      const b = initial();
      replace(slot, b);
      b.focus();
    });
    replace(slot, h("span", { class: "confirm", role: "group", "aria-label": opts.question }, h("span", { class: "confirm-question" }, opts.question), " ", yes, " ", no));
    no.focus();
  }
  replace(slot, initial());
  return slot;
}

/** A details pane under a list: a heading with a Close button, and the body. */
export function detailsPane(title: string, testid: string, close: () => void, ...body: Child[]): HTMLElement {
  const closeButton = h("button", { type: "button", class: "small", "data-testid": `${testid}-close`, "aria-label": `Close details of ${title}`, onclick: close }, "Close");
  const heading = h("h3", { tabindex: -1 }, title);
  const pane = h("section", { class: "card details", "data-testid": testid, "aria-label": `Details of ${title}` }, h("div", { class: "details-head" }, heading, closeButton), body);
  // Moves focus into the pane once it is in the document, so keyboard users land on it.
  queueMicrotask(() => heading.focus());
  return pane;
}

/** Bytes → standard base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** Standard base64 → bytes; a BadParameter when it is not base64. */
export function base64ToBytes(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text.trim());
  } catch {
    throw new HostError("BadParameter", "The input is not valid base64.");
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** UTF-8 text → base64, and back. */
export const utf8ToBase64 = (text: string): string => bytesToBase64(new TextEncoder().encode(text));
export const base64ToUtf8 = (b64: string): string => new TextDecoder().decode(base64ToBytes(b64));

/** Puts non-secret text (a URL, an id) on the clipboard from the page. */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Some webviews refuse the async clipboard; fall back to the selection below.
    }
  }
  const area = h("textarea", { class: "offscreen", readonly: true, "aria-hidden": "true" });
  area.value = text;
  document.body.append(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}
