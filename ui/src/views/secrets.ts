// The Secrets and Deleted secrets tabs. Values stay masked until "Show" asks the backend for
// them (revealSecret), and leave the page again on "Hide". Delete is a soft delete: the secret
// moves to Deleted secrets, where Recover brings it back.

import { h, replace } from "../dom";
import { host, HostError, type VaultView } from "../host";
import { busy, button, field, formatDate, load, notify, table } from "../ui";

const MASK = "••••••••";

export function secretsPanel(vault: string, openDeleted: () => void): HTMLElement {
  const list = h("div", { "data-testid": "secret-list" });
  const formSlot = h("div");

  const reload = () =>
    load(list, () => host.listSecrets(vault), (secrets) =>
      table(
        ["Name", "Value", "Type", "Status", "Updated", "Expires", ""],
        [...secrets]
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((s) => {
            const value = h("code", { class: "secret-value masked", "data-testid": `secret-value-${s.name}` }, MASK);
            let shown = false;
            const reveal = button("Show", { class: "small", "data-testid": `secret-reveal-${s.name}`, "aria-label": `Show value of ${s.name}` }, (b) => {
              if (shown) {
                shown = false;
                value.textContent = MASK;
                value.classList.add("masked");
                b.textContent = "Show";
                b.setAttribute("aria-label", `Show value of ${s.name}`);
                return;
              }
              void busy(b, "Loading…", () => host.revealSecret(vault, s.name, null)).then((v) => {
                if (v === undefined) return;
                shown = true;
                value.textContent = v;
                value.classList.remove("masked");
                b.textContent = "Hide";
                b.setAttribute("aria-label", `Hide value of ${s.name}`);
              });
            });
            const del = button("Delete", { class: "small danger", "data-testid": `secret-delete-${s.name}`, "aria-label": `Delete ${s.name}` }, (b) => {
              void busy(b, "Deleting…", () => host.deleteSecret(vault, s.name)).then((d) => {
                if (d === undefined) return;
                notify(`Secret '${s.name}' deleted. It can be recovered under Deleted secrets.`);
                void reload();
              });
            });
            return h(
              "tr",
              { "data-testid": `secret-row-${s.name}` },
              h("th", { scope: "row" }, s.name),
              h("td", { class: "value-cell" }, value, " ", reveal),
              h("td", null, s.contentType ?? "—"),
              h("td", null, s.enabled ? "Enabled" : "Disabled"),
              h("td", { class: "date" }, formatDate(s.updated)),
              h("td", { class: "date" }, formatDate(s.expires)),
              h("td", { class: "row-actions" }, del),
            );
          }),
        "There are no secrets in this vault. Use “+ Generate/Import” to add one.",
      ),
    );

  function openForm(): void {
    const name = h("input", { type: "text", "data-testid": "secret-name", autocomplete: "off", spellcheck: "false", required: true, maxlength: 127 });
    const value = h("input", { type: "password", "data-testid": "secret-value", autocomplete: "off", required: true });
    const contentType = h("input", { type: "text", "data-testid": "secret-content-type", autocomplete: "off", placeholder: "optional, e.g. text/plain" });
    const submit = h("button", { type: "submit", class: "primary", "data-testid": "secret-create-submit" }, "Create");
    const form = h(
      "form",
      { class: "inline-form", novalidate: true, "aria-label": "Create a secret" },
      h("h3", null, "Create a secret"),
      field("Name", name, "1-127 letters, digits and hyphens."),
      field("Secret value", value),
      field("Content type", contentType),
      h("div", { class: "actions" }, submit, h("button", { type: "button", "data-testid": "secret-create-cancel", onclick: () => replace(formSlot) }, "Cancel")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void busy(submit, "Creating…", async () => {
        if (name.value.trim() === "") throw new HostError("BadParameter", "Enter a secret name.");
        return host.setSecret(vault, { name: name.value.trim(), value: value.value, contentType: contentType.value.trim() || null });
      }).then((s) => {
        if (s === undefined) return;
        notify(`Secret '${s.name}' created.`);
        replace(formSlot);
        void reload();
      });
    });
    replace(formSlot, form);
    name.focus();
  }

  void reload();
  return h(
    "div",
    null,
    h(
      "div",
      { class: "toolbar", role: "toolbar", "aria-label": "Secret actions" },
      button("+ Generate/Import", { class: "primary", "data-testid": "secret-create-open" }, openForm),
      button("↻ Refresh", { "data-testid": "secrets-refresh" }, () => void reload()),
      button("Manage deleted secrets", { "data-testid": "secrets-deleted-open" }, openDeleted),
    ),
    formSlot,
    list,
  );
}

export function deletedSecretsPanel(v: VaultView): HTMLElement {
  const list = h("div", { "data-testid": "deleted-secret-list" });
  const reload = () =>
    load(list, () => host.listDeletedSecrets(v.name), (items) =>
      table(
        ["Name", "Deleted", "Scheduled purge", ""],
        [...items]
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((d) =>
            h(
              "tr",
              { "data-testid": `deleted-secret-row-${d.name}` },
              h("th", { scope: "row" }, d.name),
              h("td", { class: "date" }, formatDate(d.deletedDate)),
              h("td", { class: "date" }, formatDate(d.scheduledPurgeDate)),
              h(
                "td",
                { class: "row-actions" },
                button("Recover", { class: "small", "data-testid": `secret-recover-${d.name}`, "aria-label": `Recover ${d.name}` }, (b) => {
                  void busy(b, "Recovering…", () => host.recoverSecret(v.name, d.name)).then((s) => {
                    if (s === undefined) return;
                    notify(`Secret '${d.name}' recovered.`);
                    void reload();
                  });
                }),
              ),
            ),
          ),
        "No deleted secrets.",
      ),
    );
  void reload();
  return h(
    "div",
    null,
    h("p", { class: "muted" }, `Deleted secrets are kept for ${v.retentionDays} days, then purged.`),
    h("div", { class: "toolbar", role: "toolbar", "aria-label": "Deleted secret actions" }, button("↻ Refresh", { "data-testid": "deleted-secrets-refresh" }, () => void reload())),
    list,
  );
}
