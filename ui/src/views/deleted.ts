// The Deleted objects tab: soft-deleted keys, secrets or certificates of a vault (one kind at a
// time, chosen with a switch), each with Recover and Purge. Purge is for good, so it asks in the
// page first; with purge protection on, the backend refuses it and the alert says why.
// A certificate takes its key and secret along (backend rule): recovering it brings them back.

import { h, replace } from "../dom";
import { type DeletedItem, host, type ObjectKindName, type VaultView } from "../host";
import { busy, button, formatDate, load, notify, pagedTable } from "../ui";
import { confirmButton } from "./common";

export const KINDS: readonly ObjectKindName[] = ["key", "secret", "certificate"];
const KIND_LABEL: Record<ObjectKindName, string> = { key: "Keys", secret: "Secrets", certificate: "Certificates" };
const KIND_WORD: Record<ObjectKindName, string> = { key: "Key", secret: "Secret", certificate: "Certificate" };

export function isKind(s: string | undefined): s is ObjectKindName {
  return (KINDS as readonly (string | undefined)[]).includes(s);
}

/** The tab; `kind` is the switch's first position, `chose` is told when the person switches. */
export function deletedPanel(v: VaultView, kind: ObjectKindName, chose: (kind: ObjectKindName) => void): HTMLElement {
  let current = kind;
  const list = h("div", { "data-testid": "deleted-list" });

  const radios = KINDS.map((k) => {
    const input = h("input", { type: "radio", name: "deleted-kind", value: k, "data-testid": `deleted-kind-${k}`, checked: k === current });
    input.addEventListener("change", () => {
      if (!input.checked) return;
      current = k;
      chose(k);
      void reload();
    });
    return h("label", { class: "choice" }, input, KIND_LABEL[k]);
  });

  const reload = () => {
    const k = current;
    return load(list, () => host.listDeleted(v.name, k), (items) =>
      pagedTable<DeletedItem>({
        testid: `deleted-${k}-table`,
        items: [...items].sort((a, b) => a.name.localeCompare(b.name)),
        text: (d) => d.name,
        headers: ["Name", "Deleted", "Scheduled purge", ""],
        empty: `No deleted ${KIND_LABEL[k].toLowerCase()}.`,
        row: (d) =>
          h(
            "tr",
            { "data-testid": `deleted-${k}-row-${d.name}` },
            h("th", { scope: "row" }, d.name),
            h("td", { class: "date" }, formatDate(d.deletedDate)),
            h("td", { class: "date" }, formatDate(d.scheduledPurgeDate)),
            h(
              "td",
              { class: "row-actions" },
              button("Recover", { class: "small", "data-testid": `${k}-recover-${d.name}`, "aria-label": `Recover ${d.name}` }, (b) => {
                void busy(b, "Recovering…", async () => {
                  await host.recoverObject(v.name, k, d.name);
                  return true;
                }).then((ok) => {
                  if (!ok) return;
                  notify(`${KIND_WORD[k]} '${d.name}' recovered.`);
                  void reload();
                });
              }),
              " ",
              confirmButton({
                label: "Purge",
                testid: `${k}-purge-${d.name}`,
                ariaLabel: `Purge ${d.name} for good`,
                question: "Purge for good? This cannot be undone.",
                confirmLabel: "Purge for good",
                progress: "Purging…",
                work: () => host.purgeObject(v.name, k, d.name),
                done: () => {
                  notify(`${KIND_WORD[k]} '${d.name}' purged.`);
                  void reload();
                },
              }),
            ),
          ),
      }),
    );
  };

  void reload();
  return h(
    "div",
    null,
    h(
      "p",
      { class: "muted" },
      `Deleted objects are kept for ${v.retentionDays} days, then purged.`,
      v.purgeProtection ? " Purge protection is on: nothing can be purged before then." : "",
    ),
    h(
      "div",
      { class: "toolbar", role: "toolbar", "aria-label": "Deleted object actions" },
      h("fieldset", { class: "kind-switch", "data-testid": "deleted-kind" }, h("legend", { class: "visually-hidden" }, "Kind of object"), radios),
      button("↻ Refresh", { "data-testid": "deleted-refresh" }, () => void reload()),
    ),
    list,
  );
}
