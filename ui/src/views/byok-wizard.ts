// The BYOK wizard of a Premium vault's Keys tab: bring your own key in Key Vault's four steps,
// each unlocked by the one before.
//   1. The key-exchange key (KEK): a new RSA-HSM key whose only operation is import, or an
//      existing one.
//   2. Its public key as PEM, through the save dialog: what a real HSM vendor's tool takes.
//   3. The vendor's side, built in: `vaultmort byok wrap` (run by the backend in a child process)
//      plays the customer's on-premises HSM, generates a target key there or takes a PKCS#8 PEM
//      file, and wraps it for the KEK. The page shows where the .byok file and the target's
//      public key were written.
//   4. The .byok file imported as a new RSA-HSM key, unwrapped inside the vault's HSM.
// The wizard ends by opening the new key. Each long step shows its progress on its button;
// the page stays usable meanwhile (the commands are async).

import { type Child, h, replace } from "../dom";
import { type ByokWrapView, host, HostError, type KeyItem } from "../host";
import { busy, download, field, notify, readKeyFileBase64 } from "../ui";
import { keyCatalog, keyTypeOf } from "./catalog";

/** Whether `k` can serve as a key-exchange key: RSA-HSM with import as its only operation. */
export function isKek(k: KeyItem): boolean {
  return k.kty === "RSA-HSM" && k.keyOps.length === 1 && k.keyOps[0] === "import";
}

/** A numbered step whose controls are disabled until `open()`. */
function step(n: number, title: string, intro: Child, ...body: HTMLElement[]): { element: HTMLElement; open(): void } {
  const set = h("fieldset", { class: "byok-step-body", disabled: n > 1 }, ...body);
  const element = h(
    "section",
    { class: "card byok-step", "data-testid": `byok-step-${n}`, "data-open": n === 1 ? "true" : "false", "aria-labelledby": `byok-step-${n}-title` },
    h("h4", { id: `byok-step-${n}-title` }, `${n}. ${title}`),
    h("p", { class: "muted" }, intro),
    set,
  );
  return {
    element,
    open() {
      set.disabled = false;
      element.dataset.open = "true";
    },
  };
}

/** Opens the wizard in `slot`; `on.changed` runs when a KEK was made (the key list grew), `on.done` gets the new key's name after step 4. */
export async function openByokWizard(slot: HTMLElement, vault: string, on: { changed(): void; done(name: string): void }): Promise<void> {
  const [catalog, keys, folderDefault] = await Promise.all([keyCatalog(), host.listKeys(vault), host.byokDefaultFolder()]);
  const sizes = keyTypeOf(catalog, "RSA-HSM")?.shapes.sizes ?? [2048, 3072, 4096];
  let kek: KeyItem | null = null;
  let wrapped: ByokWrapView | null = null;

  // Step 1: the KEK.
  const kekChoice = h(
    "select",
    { "data-testid": "byok-kek-choice" },
    h("option", { value: "" }, "A new key-exchange key"),
    keys.filter(isKek).map((k) => h("option", { value: k.name }, `${k.name} (existing)`)),
  );
  const kekName = h("input", { type: "text", "data-testid": "byok-kek-name", value: "byok-kek", autocomplete: "off", spellcheck: "false", maxlength: 127 });
  const kekSize = h("select", { "data-testid": "byok-kek-size" }, sizes.map((s) => h("option", { value: s, selected: s === 4096 }, `RSA-HSM ${s}`)));
  const newKekFields = h("div", { class: "row" }, field("KEK name", kekName), field("Size", kekSize));
  const kekRun = h("button", { type: "button", class: "primary", "data-testid": "byok-kek-create" }, "Create KEK");
  const kekOut = h("dl", { class: "props compact", "data-testid": "byok-kek-result", hidden: true });
  kekChoice.addEventListener("change", () => {
    newKekFields.hidden = kekChoice.value !== "";
    kekRun.textContent = kekChoice.value === "" ? "Create KEK" : "Use this KEK";
  });
  const step1 = step(
    1,
    "Create the key-exchange key (KEK)",
    "An RSA-HSM key in this vault whose only permitted operation is import: it cannot sign, encrypt or leave the HSM.",
    h("div", { class: "row" }, field("Key-exchange key", kekChoice)),
    newKekFields,
    h("div", { class: "actions" }, kekRun),
    kekOut,
  );

  // Step 2: its public key.
  const kekDownload = h("button", { type: "button", "data-testid": "byok-kek-download" }, "Download KEK public key (PEM)…");
  const step2 = step(
    2,
    "Download the KEK's public key",
    "The file a real HSM vendor's BYOK tool takes. The built-in vendor step below reads the key directly, so this is optional here.",
    h("div", { class: "actions" }, kekDownload),
  );

  // Step 3: the vendor's side.
  const source = h(
    "select",
    { "data-testid": "byok-target-source" },
    h("option", { value: "generate" }, "Generate it in the vendor's HSM"),
    h("option", { value: "pem" }, "Take an existing key (PKCS#8 PEM file)"),
  );
  const targetSize = h("select", { "data-testid": "byok-target-size" }, [2048, 3072, 4096].map((s) => h("option", { value: s }, `RSA ${s}`)));
  const targetFile = h("input", { type: "file", "data-testid": "byok-target-file", accept: ".pem,.key,.p8" });
  const targetPassword = h("input", { type: "password", "data-testid": "byok-target-password", autocomplete: "off" });
  const sizeField = field("Target key", targetSize);
  const fileFields = h("div", { class: "row" }, field("PEM file", targetFile), field("Password", targetPassword, "Only for an encrypted key."));
  const targetName = h("input", { type: "text", "data-testid": "byok-target-name", value: "brought-key", autocomplete: "off", spellcheck: "false", maxlength: 100 });
  const folder = h("input", { type: "text", "data-testid": "byok-folder", value: folderDefault, spellcheck: "false", autocomplete: "off" });
  const wrapRun = h("button", { type: "button", class: "primary", "data-testid": "byok-wrap-run" }, "Run the vendor tool");
  const wrapOut = h("dl", { class: "props compact", "data-testid": "byok-wrap-result", hidden: true });
  const syncSource = () => {
    sizeField.hidden = source.value !== "generate";
    fileFields.hidden = source.value !== "pem";
  };
  source.addEventListener("change", syncSource);
  syncSource();
  const step3 = step(
    3,
    "Wrap the target key in the vendor's HSM",
    [
      h("code", null, "vaultmort byok wrap"),
      " plays your on-premises HSM: a SoftHSM token of its own, not the vault's, makes or takes the target key and wraps it for the KEK (RSA-OAEP and AES key wrap). The key never appears in the clear.",
    ],
    h("div", { class: "row" }, field("Target key source", source), sizeField),
    fileFields,
    h("div", { class: "row" }, field("File name", targetName, "The files are <name>.byok and <name>-public.pem."), field("Folder", folder, "Made if missing.")),
    h("div", { class: "actions" }, wrapRun),
    wrapOut,
  );

  // Step 4: the import.
  const importName = h("input", { type: "text", "data-testid": "byok-import-name", autocomplete: "off", spellcheck: "false", maxlength: 127 });
  const importRun = h("button", { type: "button", class: "primary", "data-testid": "byok-import-run" }, "Import into the HSM");
  const step4 = step(
    4,
    "Import the .byok file",
    "The vault's HSM unwraps the file with the KEK and keeps the target key as a new RSA-HSM key; nothing is stored if the file was made for another KEK or changed on the way.",
    h("div", { class: "row" }, field("Key name", importName)),
    h("div", { class: "actions" }, importRun),
  );

  kekRun.addEventListener("click", () => {
    void busy(kekRun, kekChoice.value === "" ? "Creating the KEK in the HSM…" : "Loading…", async () => {
      if (kekChoice.value !== "") {
        const existing = keys.find((k) => k.name === kekChoice.value);
        if (existing === undefined) throw new HostError("KeyNotFound", `Key '${kekChoice.value}' is gone; refresh the list.`);
        return existing;
      }
      if (kekName.value.trim() === "") throw new HostError("BadParameter", "Enter a name for the key-exchange key.");
      return host.createKey(vault, {
        name: kekName.value.trim(),
        kty: "RSA",
        protection: "hsm",
        size: Number(kekSize.value),
        curve: null,
        keyOps: ["import"],
        enabled: true,
        notBefore: null,
        expires: null,
        tags: null,
      });
    }).then((k) => {
      if (k === undefined) return;
      kek = k;
      replace(kekOut, h("dt", null, "KEK"), h("dd", null, `${k.name} (${k.kty}, operations: ${k.keyOps.join(", ")})`), h("dt", null, "Key identifier"), h("dd", null, h("code", { class: "wrap", "data-testid": "byok-kek-kid" }, k.kid)));
      kekOut.hidden = false;
      if (kekChoice.value === "") on.changed();
      step2.open();
      step3.open();
    });
  });

  kekDownload.addEventListener("click", () => {
    const k = kek;
    if (k === null) return;
    void download(kekDownload, `${k.name}.pem`, [{ name: "PEM", extensions: ["pem"] }], (path) => host.savePublicKey(vault, k.name, k.version, path));
  });

  wrapRun.addEventListener("click", () => {
    const k = kek;
    if (k === null) return;
    void busy(wrapRun, "Wrapping in the vendor's HSM…", async () => {
      const generate = source.value === "generate";
      const chosen = targetFile.files?.[0];
      if (!generate && chosen === undefined) throw new HostError("BadParameter", "Choose the target key's PEM file.");
      return host.byokWrap(vault, k.name, {
        targetName: targetName.value.trim(),
        targetSize: generate ? Number(targetSize.value) : null,
        targetKey: !generate && chosen ? await readKeyFileBase64(chosen) : null,
        targetPassword: !generate && targetPassword.value !== "" ? targetPassword.value : null,
        folder: folder.value.trim(),
      });
    }).then((w) => {
      targetPassword.value = "";
      if (w === undefined) return;
      wrapped = w;
      replace(
        wrapOut,
        h("dt", null, "Transfer file (.byok)"),
        h("dd", null, h("code", { class: "wrap", "data-testid": "byok-file" }, w.byokFile)),
        h("dt", null, "Target public key"),
        h("dd", null, h("code", { class: "wrap", "data-testid": "byok-public-file" }, w.publicKeyFile)),
        h("dt", null, "KEK public key"),
        h("dd", null, h("code", { class: "wrap" }, w.kekFile)),
        h("dt", null, "Target key"),
        h("dd", { "data-testid": "byok-target-key" }, w.targetKey),
        h("dt", null, "Made by"),
        h("dd", null, w.generator),
      );
      wrapOut.hidden = false;
      if (importName.value.trim() === "") importName.value = targetName.value.trim();
      notify(`The vendor tool wrote ${w.byokFile}.`);
      step4.open();
    });
  });

  importRun.addEventListener("click", () => {
    const w = wrapped;
    if (w === null) return;
    void busy(importRun, "Unwrapping in the HSM…", async () => {
      if (importName.value.trim() === "") throw new HostError("BadParameter", "Enter a name for the new key.");
      return host.importKey(vault, {
        name: importName.value.trim(),
        format: "byok",
        data: w.transfer,
        password: null,
        protection: "hsm",
        keyOps: null,
        enabled: true,
        notBefore: null,
        expires: null,
        tags: null,
      });
    }).then((k) => {
      if (k === undefined) return;
      notify(`Key '${k.name}' brought into the HSM as ${k.kty}.`);
      replace(slot);
      on.done(k.name);
    });
  });

  replace(
    slot,
    h(
      "div",
      { class: "inline-form byok-wizard", "data-testid": "byok-wizard", role: "group", "aria-label": "Bring your own key" },
      h("h3", null, "Bring your own key (BYOK)"),
      step1.element,
      step2.element,
      step3.element,
      step4.element,
      h("div", { class: "actions" }, h("button", { type: "button", "data-testid": "byok-cancel", onclick: () => replace(slot) }, "Close")),
    ),
  );
  kekName.focus();
}
