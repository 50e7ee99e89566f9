// The "Create a certificate" wizard, as the portal has it: Method "Generate" (a policy; self-signed
// and integrated-CA certificates exist at once, a non-integrated CA leaves a pending request
// with a CSR) or "Import" (a PFX or PEM file, previewed before anything is written; a password is
// asked for only when the file needs one). The pending-request panel shows the CSR, downloads it,
// and merges the signed certificate (a file, or PEM pasted in); a certificate for another key is
// refused and the request stays pending.

import { h, replace } from "../dom";
import { host, HostError, type ImportPreviewView, type PendingView } from "../host";
import { busy, download, field, formatDate, notify, readCertificateFileBase64 } from "../ui";
import { keyCatalog } from "./catalog";
import { policyFields } from "./cert-policy";

/** A name Key Vault accepts, suggested from a file name: `site.example.pfx` → `site-example`. */
export function nameFromFile(fileName: string): string {
  const stem = fileName.replace(/\.[^.]*$/, "");
  return stem
    .replace(/[^A-Za-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 127);
}

const utf8Base64 = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
};

/** The wizard in `slot`; `done` runs after a certificate was created or imported. */
export async function openCreateWizard(slot: HTMLElement, vault: string, done: () => void): Promise<void> {
  const [defaults, issuers, catalog] = await Promise.all([host.defaultCertificatePolicy(), host.listIssuers(vault), keyCatalog()]);
  const method = h("select", { "data-testid": "cert-method" }, h("option", { value: "generate" }, "Generate"), h("option", { value: "import" }, "Import"));
  const name = h("input", { type: "text", "data-testid": "cert-name", autocomplete: "off", spellcheck: "false", required: true, maxlength: 127 });
  const body = h("div");
  const close = () => replace(slot);

  const generate = () => {
    const fields = policyFields(defaults, issuers, catalog);
    const subject = fields.element.querySelector<HTMLInputElement>('[data-testid="cert-subject"]');
    // Suggest CN=<name> until the user types a subject of their own.
    let subjectTouched = false;
    subject?.addEventListener("input", () => (subjectTouched = true));
    name.oninput = () => {
      if (subject && !subjectTouched) subject.value = name.value ? `CN=${name.value}` : "";
    };
    const submit = h("button", { type: "submit", class: "primary", "data-testid": "cert-create-submit" }, "Create");
    const form = h(
      "form",
      { novalidate: true },
      fields.element,
      h("div", { class: "actions" }, submit, h("button", { type: "button", "data-testid": "cert-create-cancel", onclick: close }, "Cancel")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void busy(submit, "Creating certificate…", async () => {
        if (name.value.trim() === "") throw new HostError("BadParameter", "Enter a certificate name.");
        const policy = fields.read();
        if (!Number.isInteger(policy.validityMonths) || policy.validityMonths < 1) throw new HostError("BadParameter", "Validity must be a whole number of months.");
        return host.createCertificate(vault, name.value.trim(), policy);
      }).then((op) => {
        if (op === undefined) return;
        if (op.status === "inProgress") {
          notify(`Certificate '${op.name}' is waiting for its signed certificate.`);
          replace(slot, pendingPanel(vault, op, done));
        } else {
          notify(`Certificate '${op.name}' created.`);
          close();
          done();
        }
      });
    });
    replace(body, form);
  };

  const importer = () => {
    const file = h("input", { type: "file", "data-testid": "cert-import-file", accept: ".pfx,.p12,.pem,.crt,.cer,.der,.key" });
    const password = h("input", { type: "password", "data-testid": "cert-import-password", autocomplete: "off" });
    const passwordField = field("Password", password, "The file is protected: enter its password to see what it holds.");
    passwordField.hidden = true;
    const open = h("button", { type: "button", "data-testid": "cert-import-open" }, "Open");
    const preview = h("div", { "data-testid": "cert-import-preview", "aria-live": "polite" });
    const submit = h("button", { type: "submit", class: "primary", "data-testid": "cert-import-submit", disabled: true }, "Import");
    let data: string | null = null;
    let shown: ImportPreviewView | null = null;

    const inspect = (button: HTMLButtonElement) =>
      busy(button, "Reading…", async () => {
        if (data === null) throw new HostError("BadParameter", "Choose a certificate file first.");
        return host.previewCertificateFile(data, passwordField.hidden ? null : password.value);
      }).then((p) => {
        shown = p ?? null;
        submit.disabled = !(p && !p.needsPassword && p.hasPrivateKey);
        if (p === undefined) {
          replace(preview);
          return;
        }
        if (p.needsPassword) {
          passwordField.hidden = false;
          replace(preview, h("p", { class: "note", "data-testid": "cert-import-needs-password" }, `${p.format} file protected by a password.`));
          password.focus();
          return;
        }
        replace(preview, previewTable(p));
      });

    file.addEventListener("change", () => {
      const chosen = file.files?.[0];
      shown = null;
      data = null;
      submit.disabled = true;
      passwordField.hidden = true;
      password.value = "";
      if (!chosen) return;
      if (name.value.trim() === "") name.value = nameFromFile(chosen.name);
      void busy(open, "Reading…", () => readCertificateFileBase64(chosen)).then((b64) => {
        if (b64 === undefined) {
          replace(preview);
          return;
        }
        data = b64;
        void inspect(open);
      });
    });
    open.addEventListener("click", () => void inspect(open));
    password.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        void inspect(open);
      }
    });

    const form = h(
      "form",
      { novalidate: true },
      field("Certificate file", file, "PFX (PKCS #12) or PEM with a PKCS #8 private key; DER certificates are shown but cannot be imported without a key."),
      passwordField,
      h("div", { class: "actions" }, open),
      preview,
      h("div", { class: "actions" }, submit, h("button", { type: "button", "data-testid": "cert-create-cancel", onclick: close }, "Cancel")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void busy(submit, "Importing…", async () => {
        if (data === null || shown === null) throw new HostError("BadParameter", "Choose a certificate file first.");
        if (name.value.trim() === "") throw new HostError("BadParameter", "Enter a certificate name.");
        return host.importCertificate(vault, { name: name.value.trim(), data, password: passwordField.hidden ? null : password.value });
      }).then((c) => {
        if (c === undefined) return;
        notify(`Certificate '${c.name}' imported.`);
        close();
        done();
      });
    });
    replace(body, form);
  };

  method.addEventListener("change", () => (method.value === "import" ? importer() : generate()));
  generate();
  replace(
    slot,
    h(
      "section",
      { class: "inline-form wizard", "aria-label": "Create a certificate", "data-testid": "cert-wizard" },
      h("h3", null, "Create a certificate"),
      field("Method of certificate creation", method),
      field("Certificate name", name, "1-127 letters, digits and hyphens."),
      body,
    ),
  );
  name.focus();
}

/** What an import would store: the chain with subjects, validity, SANs and keys. */
export function previewTable(p: ImportPreviewView): HTMLElement {
  const [leaf] = p.chain;
  return h(
    "div",
    { class: "preview" },
    h("p", null, `${p.format} · `, p.hasPrivateKey ? "with its private key" : h("strong", { "data-testid": "cert-import-no-key" }, "no private key: Key Vault cannot import a certificate without its key")),
    leaf
      ? h(
          "dl",
          { class: "props compact" },
          h("dt", null, "Subject"),
          h("dd", { "data-testid": "cert-preview-subject" }, leaf.subject),
          h("dt", null, "Issuer"),
          h("dd", { "data-testid": "cert-preview-issuer" }, leaf.issuer),
          h("dt", null, "Valid"),
          h("dd", null, `${formatDate(leaf.notBefore)} – ${formatDate(leaf.expires)}`),
          h("dt", null, "Subject alternative names"),
          h("dd", { "data-testid": "cert-preview-sans" }, leaf.sans.length ? leaf.sans.join(", ") : "—"),
          h("dt", null, "Key"),
          h("dd", { "data-testid": "cert-preview-key" }, leaf.key),
          h("dt", null, "Thumbprint"),
          h("dd", null, h("code", { class: "thumb" }, leaf.thumbprint)),
          h("dt", null, "Chain"),
          h(
            "dd",
            { "data-testid": "cert-preview-chain" },
            p.chain.length > 1 ? h("ol", null, p.chain.slice(1).map((c) => h("li", null, c.subject))) : "the certificate alone",
          ),
        )
      : null,
  );
}

/** A pending request: its CSR (shown, downloadable) and the merge of the signed certificate. */
export function pendingPanel(vault: string, op: PendingView, done: () => void): HTMLElement {
  const csr = h("textarea", { "data-testid": "cert-csr", rows: 8, readonly: true, spellcheck: "false", class: "mono" }, op.csrPem);
  const save = h("button", { type: "button", "data-testid": "cert-csr-download" }, "Download CSR");
  save.addEventListener("click", () => void download(save, `${op.name}.csr`, [{ name: "CSR", extensions: ["csr", "pem"] }], (path) => host.saveCsr(vault, op.name, path)));
  const file = h("input", { type: "file", "data-testid": "cert-merge-file", accept: ".cer,.crt,.pem,.der,.p7b" });
  const pasted = h("textarea", { "data-testid": "cert-merge-pem", rows: 5, spellcheck: "false", class: "mono", placeholder: "-----BEGIN CERTIFICATE-----" });
  const merge = h("button", { type: "button", class: "primary", "data-testid": "cert-merge-submit" }, "Merge Signed Request");
  const cancel = h("button", { type: "button", class: "danger", "data-testid": "cert-request-delete" }, "Delete request");
  const status = h("p", { "data-testid": "cert-operation-status" }, `Status: ${op.status} · ${op.statusDetails}`);
  const element = h(
    "section",
    { class: "inline-form", "aria-label": `Certificate operation for ${op.name}`, "data-testid": "cert-operation" },
    h("h3", null, `Certificate operation: ${op.name}`),
    status,
    h("p", { class: "muted" }, `Issuer: ${op.issuerName}. Have the CA sign this request, then merge the certificate it returns.`),
    field("Certificate signing request", csr),
    h("div", { class: "actions" }, save),
    field("Signed certificate file", file, "PEM, DER or PKCS #7, with its chain if the CA gave one."),
    field("…or paste it (PEM)", pasted),
    h("div", { class: "actions" }, merge, cancel),
  );
  merge.addEventListener("click", () => {
    void busy(merge, "Merging…", async () => {
      const chosen = file.files?.[0];
      const data = chosen ? await readCertificateFileBase64(chosen) : pasted.value.trim() ? utf8Base64(pasted.value) : null;
      if (data === null) throw new HostError("BadParameter", "Choose the signed certificate file, or paste it.");
      return host.mergeCertificate(vault, op.name, data);
    }).then((c) => {
      if (c === undefined) return;
      notify(`Certificate '${c.name}' merged: valid until ${formatDate(c.expires)}.`);
      replace(element);
      done();
    });
  });
  cancel.addEventListener("click", () => {
    void busy(cancel, "Deleting…", () => host.deleteCertificateOperation(vault, op.name)).then((o) => {
      if (o === undefined) return;
      notify(`The request for '${op.name}' was deleted.`);
      replace(element);
      done();
    });
  });
  return element;
}
