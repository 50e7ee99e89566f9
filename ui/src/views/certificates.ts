// The Certificates tab: the vault's certificates (paged, filterable) with days to expiry; the
// create wizard (./cert-wizard.ts); a details pane per certificate (versions, download as CER,
// PEM, PEM with chain or PFX, the policy editor, the pending operation, delete); and the vault's
// Certificate Authorities (issuers) and Certificate Contacts.

import { h, replace } from "../dom";
import { type CertificateItem, host, HostError } from "../host";
import { busy, button, daysLeftBadge, daysUntil, download, field, formatDate, load, notify, pagedTable, table } from "../ui";
import { keyCatalog } from "./catalog";
import { policyFields } from "./cert-policy";
import { openCreateWizard, pendingPanel } from "./cert-wizard";

export function certificatesPanel(vault: string): HTMLElement {
  const list = h("div", { "data-testid": "cert-list" });
  const formSlot = h("div");
  const detailsSlot = h("div");

  const reload = () =>
    load(list, () => host.listCertificates(vault), (certs) =>
      pagedTable<CertificateItem>({
        testid: "cert-table",
        items: [...certs].sort((a, b) => a.name.localeCompare(b.name)),
        text: (c) => `${c.name} ${c.subject}`,
        headers: ["Name", "Subject", "Thumbprint", "Valid from", "Expires", "Days left", "Status"],
        empty: "There are no certificates in this vault. Use “+ Generate/Import” to create one.",
        row: (c) =>
          h(
            "tr",
            { "data-testid": `cert-row-${c.name}` },
            h(
              "th",
              { scope: "row" },
              h("button", { type: "button", class: "link", "data-testid": `cert-open-${c.name}`, onclick: () => void openDetails(c.name) }, c.name),
            ),
            h("td", null, c.subject),
            h("td", null, h("code", { class: "thumb" }, c.thumbprint)),
            h("td", { class: "date" }, formatDate(c.notBefore)),
            h("td", { class: "date" }, formatDate(c.expires)),
            h("td", null, daysLeftBadge(daysUntil(c.expires))),
            h("td", null, c.enabled ? "Enabled" : "Disabled"),
          ),
      }),
    );

  const openDetails = (name: string) => {
    replace(formSlot);
    return load(detailsSlot, () => host.listCertificateVersions(vault, name), (versions) =>
      detailsPane(vault, name, versions, () => {
        replace(detailsSlot);
        void reload();
      }),
    );
  };

  const open = (b: HTMLButtonElement) => {
    replace(detailsSlot);
    void busy(b, "Opening…", () => openCreateWizard(formSlot, vault, () => void reload()));
  };

  void reload();
  return h(
    "div",
    null,
    h(
      "div",
      { class: "toolbar", role: "toolbar", "aria-label": "Certificate actions" },
      button("+ Generate/Import", { class: "primary", "data-testid": "cert-create-open" }, open),
      button("↻ Refresh", { "data-testid": "certs-refresh" }, () => void reload()),
      button("Certificate Authorities", { "data-testid": "cert-issuers-open" }, () => (replace(detailsSlot), replace(formSlot, issuersPanel(vault)))),
      button("Certificate Contacts", { "data-testid": "cert-contacts-open" }, () => (replace(detailsSlot), replace(formSlot, contactsPanel(vault)))),
    ),
    formSlot,
    detailsSlot,
    list,
  );
}

type Version = Awaited<ReturnType<typeof host.listCertificateVersions>>[number];

function detailsPane(vault: string, name: string, versions: Version[], closed: () => void): HTMLElement {
  const extra = h("div");
  const current = versions[0];
  const format = h(
    "select",
    { "data-testid": "cert-download-format" },
    h("option", { value: "cer" }, "CER (DER)"),
    h("option", { value: "pem" }, "PEM"),
    h("option", { value: "chain" }, "PEM with chain"),
    h("option", { value: "pfx" }, "PFX/PEM with private key"),
  );
  const password = h("input", { type: "password", "data-testid": "cert-download-password", autocomplete: "new-password", placeholder: "optional" });
  const passwordField = field("PFX password", password, "Leave empty for a PFX without a password (as Key Vault stores it).");
  passwordField.hidden = true;
  format.addEventListener("change", () => (passwordField.hidden = format.value !== "pfx"));
  const save = h("button", { type: "button", class: "primary", "data-testid": "cert-download" }, "Download");
  save.addEventListener("click", () => {
    const f = format.value as "cer" | "pem" | "chain" | "pfx";
    const ext = f === "cer" ? "cer" : f === "pfx" ? "pfx" : "pem";
    const pw = f === "pfx" && password.value !== "" ? password.value : null;
    void download(save, `${name}.${ext}`, [{ name: f.toUpperCase(), extensions: [ext] }], (path) => host.saveCertificate(vault, name, null, f, pw, path));
  });

  const editPolicy = button("Issuance policy", { "data-testid": "cert-policy-open" }, (b) => {
    void busy(b, "Loading…", async () => {
      const [policy, issuers, catalog] = await Promise.all([host.getCertificatePolicy(vault, name), host.listIssuers(vault), keyCatalog()]);
      const fields = policyFields(policy, issuers, catalog);
      const submit = h("button", { type: "submit", class: "primary", "data-testid": "cert-policy-save" }, "Save policy");
      const form = h(
        "form",
        { class: "inline-form", novalidate: true, "aria-label": `Issuance policy of ${name}` },
        h("h4", null, "Issuance policy"),
        h("p", { class: "muted" }, "Changes apply from the next version (a renewal or a new version)."),
        fields.element,
        h("div", { class: "actions" }, submit, h("button", { type: "button", onclick: () => replace(extra) }, "Cancel")),
      );
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        void busy(submit, "Saving…", () => host.updateCertificatePolicy(vault, name, fields.read())).then((p) => {
          if (p === undefined) return;
          notify(`The policy of '${name}' was saved.`);
          replace(extra);
        });
      });
      replace(extra, form);
      fields.focus();
    });
  });
  const operation = button("Certificate operation", { "data-testid": "cert-operation-open" }, (b) => {
    void busy(b, "Loading…", () => host.getCertificateOperation(vault, name)).then((op) => {
      if (op === undefined) return;
      replace(extra, op.status === "inProgress" ? pendingPanel(vault, op, closed) : h("p", { class: "note" }, `The last operation is ${op.status}: ${op.statusDetails}`));
    });
  });
  const del = button("Delete", { class: "danger", "data-testid": `cert-delete-${name}` }, (b) => {
    void busy(b, "Deleting…", () => host.deleteObject(vault, "certificate", name)).then((d) => {
      if (d === undefined) return;
      notify(`Certificate '${name}' deleted with its key and secret. It can be recovered under Deleted objects.`);
      closed();
    });
  });

  return h(
    "section",
    { class: "card details", "aria-label": `Certificate ${name}`, "data-testid": "cert-details" },
    h("div", { class: "details-head" }, h("h3", null, name), h("button", { type: "button", class: "icon-button dismiss", "aria-label": "Close details", "data-testid": "cert-details-close", onclick: closed })),
    current
      ? h(
          "dl",
          { class: "props compact" },
          h("dt", null, "Subject"),
          h("dd", { "data-testid": "cert-details-subject" }, current.subject),
          h("dt", null, "Issuer"),
          h("dd", { "data-testid": "cert-details-issuer" }, current.issuer),
          h("dt", null, "Serial number"),
          h("dd", null, h("code", null, current.serial)),
          h("dt", null, "Chain"),
          h("dd", null, current.chain.length ? current.chain.join(" → ") : "—"),
        )
      : null,
    h("h4", null, "Versions"),
    table(
      ["Version", "Thumbprint", "Valid from", "Expires", "Status"],
      versions.map((v, i) =>
        h(
          "tr",
          { "data-testid": `cert-version-${v.version}` },
          h("td", null, h("code", null, v.version), i === 0 ? h("span", { class: "badge days-ok" }, "current") : null),
          h("td", null, h("code", { class: "thumb" }, v.thumbprint)),
          h("td", { class: "date" }, formatDate(v.notBefore)),
          h("td", { class: "date" }, formatDate(v.expires)),
          h("td", null, v.enabled ? "Enabled" : "Disabled"),
        ),
      ),
      "No versions.",
    ),
    h("h4", null, "Download"),
    h("div", { class: "row" }, field("Format", format), passwordField),
    h("div", { class: "actions" }, save),
    h("div", { class: "toolbar" }, editPolicy, operation, del),
    extra,
  );
}

const PROVIDERS = [
  ["VaultmortPractice", "Vaultmort practice CA (issues here, offline)"],
  ["DigiCert", "DigiCert (configuration only: cannot issue offline)"],
  ["GlobalSign", "GlobalSign (configuration only: cannot issue offline)"],
] as const;

function issuersPanel(vault: string): HTMLElement {
  const list = h("div", { "data-testid": "issuer-list" });
  const reload = () =>
    load(list, () => host.listIssuers(vault), (issuers) =>
      table(
        ["Name", "Provider", "Account", ""],
        issuers.map((i) =>
          h(
            "tr",
            { "data-testid": `issuer-row-${i.name}` },
            h("th", { scope: "row" }, i.name),
            h("td", null, i.provider),
            h("td", null, i.accountId ?? "—"),
            h(
              "td",
              { class: "row-actions" },
              button("Delete", { class: "small danger", "data-testid": `issuer-delete-${i.name}`, "aria-label": `Delete issuer ${i.name}` }, (b) => {
                void busy(b, "Deleting…", () => host.deleteIssuer(vault, i.name)).then((d) => d && void reload());
              }),
            ),
          ),
        ),
        "No certificate authorities yet. Add the practice CA to issue certificates offline.",
      ),
    );
  const name = h("input", { type: "text", "data-testid": "issuer-name", value: "practice-ca", autocomplete: "off", spellcheck: "false" });
  const provider = h("select", { "data-testid": "issuer-provider" }, PROVIDERS.map(([value, label]) => h("option", { value }, label)));
  const account = h("input", { type: "text", "data-testid": "issuer-account", autocomplete: "off", placeholder: "optional" });
  const add = h("button", { type: "submit", class: "primary", "data-testid": "issuer-add" }, "Add");
  const form = h("form", { class: "row", novalidate: true }, field("Name", name), field("Provider", provider), field("Account id", account), h("div", { class: "actions" }, add));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void busy(add, "Adding…", async () => {
      if (name.value.trim() === "") throw new HostError("BadParameter", "Enter an issuer name.");
      return host.setIssuer(vault, name.value.trim(), provider.value, account.value.trim() || null);
    }).then((i) => {
      if (i === undefined) return;
      notify(`Certificate authority '${i.name}' saved.`);
      void reload();
    });
  });
  void reload();
  return h("section", { class: "inline-form", "aria-label": "Certificate Authorities", "data-testid": "issuers-panel" }, h("h3", null, "Certificate Authorities"), list, form);
}

function contactsPanel(vault: string): HTMLElement {
  const rows = h("div", { "data-testid": "contact-rows" });
  const add = (email = "", name = "", phone = "") => {
    const row = h(
      "div",
      { class: "row contact" },
      field("Email", h("input", { type: "email", value: email, class: "contact-email", autocomplete: "off" })),
      field("Name", h("input", { type: "text", value: name, class: "contact-name", autocomplete: "off" })),
      field("Phone", h("input", { type: "tel", value: phone, class: "contact-phone", autocomplete: "off" })),
      h("button", { type: "button", class: "small", "aria-label": "Remove this contact", onclick: () => row.remove() }, "Remove"),
    );
    rows.append(row);
  };
  const save = h("button", { type: "button", class: "primary", "data-testid": "contacts-save" }, "Save");
  save.addEventListener("click", () => {
    const value = (row: Element, cls: string) => row.querySelector<HTMLInputElement>(`.${cls}`)?.value.trim() ?? "";
    const contacts = [...rows.children]
      .map((row) => ({ email: value(row, "contact-email"), name: value(row, "contact-name") || null, phone: value(row, "contact-phone") || null }))
      .filter((c) => c.email !== "");
    void busy(save, "Saving…", () => host.setContacts(vault, contacts)).then((saved) => saved && notify(`${saved.length} certificate contact(s) saved.`));
  });
  void host.getContacts(vault).then(
    (contacts) => (contacts.length ? contacts.forEach((c) => add(c.email, c.name ?? "", c.phone ?? "")) : add()),
    () => add(),
  );
  return h(
    "section",
    { class: "inline-form", "aria-label": "Certificate Contacts", "data-testid": "contacts-panel" },
    h("h3", null, "Certificate Contacts"),
    h("p", { class: "muted" }, "The EmailContacts lifetime action writes to these contacts; the messages appear in the Outbox (nothing leaves this machine)."),
    rows,
    h("div", { class: "actions" }, button("+ Add contact", { "data-testid": "contacts-add" }, () => add()), save),
  );
}
