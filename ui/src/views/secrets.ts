// The Secrets tab: the vault's secrets (paged, filterable), a create form, and a details pane per
// secret (versions, each revealed on demand, its settings editable, its value downloadable).
// Values stay masked until "Show" asks the backend for them (revealSecret), and leave the page
// again on "Hide". "Copy" has the backend put the value on the clipboard (copySecret), which
// clears it again after 30 s. Delete is a soft delete: the secret moves to Deleted objects, where
// Recover brings it back. A certificate's secret is managed by the certificate: read-only here.

import { h, replace } from "../dom";
import { host, HostError, type SecretDetails, type SecretItem } from "../host";
import { busy, button, download, field, formatDate, load, notify, pagedTable, table } from "../ui";
import { attributesEditor, detailsPane, formatTags, nameButton } from "./common";

const MASK = "••••••••";

/** A masked value with a Show/Hide button (`testid` names both) for one version (null: newest). */
function revealer(vault: string, name: string, version: string | null, testid: string): { value: HTMLElement; toggle: HTMLButtonElement } {
  const value = h("code", { class: "secret-value masked", "data-testid": `secret-value-${testid}` }, MASK);
  let shown = false;
  const what = version === null ? name : `version ${version} of ${name}`;
  const toggle = button("Show", { class: "small", "data-testid": `secret-reveal-${testid}`, "aria-label": `Show value of ${what}` }, (b) => {
    if (shown) {
      shown = false;
      value.textContent = MASK;
      value.classList.add("masked");
      b.textContent = "Show";
      b.setAttribute("aria-label", `Show value of ${what}`);
      return;
    }
    void busy(b, "Loading…", () => host.revealSecret(vault, name, version)).then((v) => {
      if (v === undefined) return;
      shown = true;
      value.textContent = v;
      value.classList.remove("masked");
      b.textContent = "Hide";
      b.setAttribute("aria-label", `Hide value of ${what}`);
    });
  });
  return { value, toggle };
}

/** "Copy" for one version (null: newest): the backend copies and says when it clears the clipboard. */
function copyButton(vault: string, name: string, version: string | null, testid: string): HTMLButtonElement {
  const what = version === null ? name : `version ${version} of ${name}`;
  return button("Copy", { class: "small", "data-testid": `secret-copy-${testid}`, "aria-label": `Copy value of ${what}` }, (b) => {
    void busy(b, "Copying…", () => host.copySecret(vault, name, version)).then((seconds) => {
      if (seconds === undefined) return;
      notify(`Copied; the clipboard is cleared in ${seconds} s.`);
    });
  });
}

export function secretsPanel(vault: string, openDeleted: () => void): HTMLElement {
  const list = h("div", { "data-testid": "secret-list" });
  const formSlot = h("div");
  const detailsSlot = h("div");

  const reload = () =>
    load(list, () => host.listSecrets(vault), (secrets) =>
      pagedTable<SecretItem>({
        testid: "secret-table",
        items: [...secrets].sort((a, b) => a.name.localeCompare(b.name)),
        text: (s) => s.name,
        headers: ["Name", "Value", "Type", "Status", "Updated", "Expires", ""],
        empty: "There are no secrets in this vault. Use “+ Generate/Import” to add one.",
        row: (s) => {
          const { value, toggle } = revealer(vault, s.name, null, s.name);
          const del = button("Delete", { class: "small danger", "data-testid": `secret-delete-${s.name}`, "aria-label": `Delete ${s.name}` }, (b) => {
            void busy(b, "Deleting…", () => host.deleteObject(vault, "secret", s.name)).then((d) => {
              if (d === undefined) return;
              notify(`Secret '${s.name}' deleted. It can be recovered under Deleted objects until ${formatDate(d.scheduledPurgeDate)}.`);
              if (detailsSlot.querySelector(`[data-secret="${CSS.escape(s.name)}"]`)) replace(detailsSlot);
              void reload();
            });
          });
          return h(
            "tr",
            { "data-testid": `secret-row-${s.name}` },
            h("th", { scope: "row" }, nameButton(s.name, `secret-open-${s.name}`, () => void openDetails(s.name))),
            h("td", { class: "value-cell" }, value, " ", toggle, " ", copyButton(vault, s.name, null, s.name)),
            h("td", null, s.contentType ?? "—"),
            h("td", null, s.enabled ? "Enabled" : "Disabled"),
            h("td", { class: "date" }, formatDate(s.updated)),
            h("td", { class: "date" }, formatDate(s.expires)),
            h("td", { class: "row-actions" }, del),
          );
        },
      }),
    );

  const openDetails = (name: string) => {
    replace(formSlot);
    return load(
      detailsSlot,
      () => Promise.all([host.listSecretVersions(vault, name), host.getSecretDetails(vault, name, null)]),
      ([versions, current]) =>
        secretDetails(vault, name, versions, current, {
          close: () => {
            replace(detailsSlot);
            // Back to the name that opened the pane, so keyboard users keep their place.
            list.querySelector<HTMLElement>(`[data-testid="secret-open-${CSS.escape(name)}"]`)?.focus();
          },
          changed: () => void reload(),
        }),
    );
  };

  function openForm(): void {
    replace(detailsSlot);
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
    detailsSlot,
    list,
  );
}

/** A secret's details: its versions (each revealable and copyable) and one version's settings. */
function secretDetails(vault: string, name: string, versions: SecretItem[], current: SecretDetails, on: { close(): void; changed(): void }): HTMLElement {
  const versionSlot = h("div", { "data-testid": "secret-version-details" });
  const currentVersion = current.item.version;
  const managed = current.managed;
  /** The cells of each version's row that a Save changes, updated in place. */
  const cells = new Map<string, { type: HTMLElement; status: HTMLElement; expires: HTMLElement }>();
  const saved = (u: SecretDetails) => {
    if (u.item.version === currentVersion) current = u;
    const c = cells.get(u.item.version);
    if (c) {
      c.type.textContent = u.item.contentType ?? "—";
      c.status.textContent = u.item.enabled ? "Enabled" : "Disabled";
      c.expires.textContent = formatDate(u.item.expires);
    }
    on.changed();
  };

  const showVersion = (version: string) => {
    for (const tr of rows) tr.classList.toggle("selected", tr.dataset.testid === `secret-version-${version}`);
    if (version === currentVersion) {
      replace(versionSlot, versionSettings(vault, name, current, saved));
      return Promise.resolve();
    }
    return load(versionSlot, () => host.getSecretDetails(vault, name, version), (d) => versionSettings(vault, name, d, saved));
  };

  const rows = versions.map((v) => {
    const isCurrent = v.version === currentVersion;
    const type = h("td", null, v.contentType ?? "—");
    const status = h("td", null, v.enabled ? "Enabled" : "Disabled");
    const expires = h("td", { class: "date" }, formatDate(v.expires));
    cells.set(v.version, { type, status, expires });
    const id = `${name}-${v.version}`;
    const { value, toggle } = revealer(vault, name, v.version, id);
    const open = h(
      "button",
      { type: "button", class: "link", "data-testid": `secret-version-open-${v.version}`, "aria-label": `Settings of version ${v.version}` },
      h("code", null, v.version),
    );
    open.addEventListener("click", () => void showVersion(v.version));
    return h(
      "tr",
      { "data-testid": `secret-version-${v.version}`, "data-current": isCurrent ? "true" : null },
      h("th", { scope: "row", class: "version-cell" }, open, isCurrent ? h("span", { class: "badge current" }, "current") : null),
      h("td", { class: "value-cell" }, value, " ", toggle, " ", copyButton(vault, name, v.version, id)),
      type,
      status,
      h("td", { class: "date" }, formatDate(v.created)),
      expires,
    );
  });
  void showVersion(currentVersion);

  const pane = detailsPane(
    name,
    "secret-details",
    on.close,
    managed
      ? h(
          "p",
          { class: "note", "data-testid": "secret-managed-note" },
          "This secret belongs to a certificate of the same name and is read-only here: change it through the certificate.",
        )
      : null,
    h("h4", null, "Versions"),
    table(["Version", "Value", "Type", "Status", "Created", "Expires"], rows, "No versions."),
    versionSlot,
  );
  pane.dataset.secret = name;
  return pane;
}

/** One version's settings (enabled, dates, content type) and its download. */
function versionSettings(vault: string, name: string, d: SecretDetails, saved: (updated: SecretDetails) => void): HTMLElement {
  const v = d.item;
  const contentType = h("input", { type: "text", "data-testid": "secret-attr-content-type", autocomplete: "off", value: v.contentType ?? "" });
  const tags = formatTags(d.tags);
  const save = button("Download value", { "data-testid": "secret-download" }, (b) => {
    void download(b, `${name}.txt`, [{ name: "Text", extensions: ["txt"] }], (path) => host.saveSecretValue(vault, name, v.version, path));
  });
  return h(
    "div",
    { class: "version-details" },
    h("h4", null, "Version ", h("code", null, v.version)),
    h(
      "dl",
      { class: "props compact" },
      h("dt", null, "Secret identifier"),
      h("dd", null, h("code", { class: "wrap" }, v.id)),
      h("dt", null, "Created"),
      h("dd", null, formatDate(v.created)),
      h("dt", null, "Updated"),
      h("dd", null, formatDate(v.updated)),
      h("dt", null, "Tags"),
      h("dd", null, tags === "" ? "—" : h("pre", { class: "mono" }, tags)),
    ),
    h("div", { class: "actions" }, save),
    h("h4", null, "Settings"),
    attributesEditor({
      testid: "secret-attr",
      enabled: v.enabled,
      notBefore: d.notBefore,
      expires: v.expires,
      readOnly: d.managed,
      extra: [field("Content type", contentType)],
      save: async (attributes) => {
        const updated = await host.updateSecret(vault, name, v.version, attributes, contentType.value.trim() || null);
        notify(`Version ${updated.item.version} of '${name}' saved.`);
        saved(updated);
      },
    }),
  );
}
