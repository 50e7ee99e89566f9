// A vault's "Access configuration": the permission model (vault access policies or Azure RBAC)
// and, for access policies, the list with an editor: a principal, a "Configure from template"
// preset, and the key, secret and certificate permissions as checkboxes. A policy someone writes
// for themselves is allowed, as Azure allows it, and flagged here and in the access log.

import { h, replace } from "../dom";
import { type AccessConfigView, host, HostError, type PermissionSet, type VaultView } from "../host";
import { busy, button, field, load, notify, table } from "../ui";

const GROUPS = [
  ["keys", "Key permissions"],
  ["secrets", "Secret permissions"],
  ["certificates", "Certificate permissions"],
] as const;

export function accessPanel(vault: VaultView): HTMLElement {
  const body = h("div", { "data-testid": "access-config" });
  const editorSlot = h("div");
  const reload = () => load(body, () => host.accessConfiguration(vault.name), (config) => render(config));

  function render(config: AccessConfigView): HTMLElement {
    const model = h(
      "select",
      { "data-testid": "access-model" },
      h("option", { value: "policies", selected: !config.rbacAuthorization }, "Vault access policy"),
      h("option", { value: "rbac", selected: config.rbacAuthorization }, "Azure role-based access control"),
    );
    const apply = button("Apply", { "data-testid": "access-model-apply" }, (b) => {
      void busy(b, "Applying…", () => host.setRbacAuthorization(vault.name, model.value === "rbac")).then((ok) => {
        if (ok === undefined) return;
        notify(model.value === "rbac" ? "Data access now follows Azure RBAC; access policies are ignored." : "Data access now follows the vault's access policies.");
        void reload();
      });
    });
    const count = (p: PermissionSet) => `${p.keys.length} key, ${p.secrets.length} secret, ${p.certificates.length} certificate`;
    return h(
      "div",
      null,
      h("div", { class: "row" }, field("Permission model", model), h("div", { class: "actions" }, apply)),
      config.rbacAuthorization
        ? h("p", { class: "note", "data-testid": "access-rbac-note" }, "This vault uses Azure RBAC: data access comes from role assignments (Access control (IAM)); access policies are ignored.")
        : null,
      h(
        "div",
        { class: "toolbar", role: "toolbar", "aria-label": "Access policy actions" },
        button("+ Create", { class: "primary", "data-testid": "access-policy-open" }, () => void openEditor(config, null)),
        button("↻ Refresh", { "data-testid": "access-refresh" }, () => void reload()),
      ),
      table(
        ["Principal", "Type", "Permissions", ""],
        config.policies.map((p) =>
          h(
            "tr",
            { "data-testid": `access-policy-row-${p.displayName}` },
            h("th", { scope: "row" }, p.displayName),
            h("td", null, p.kind ?? "—"),
            h("td", { title: [...p.permissions.keys, ...p.permissions.secrets, ...p.permissions.certificates].join(", ") }, count(p.permissions)),
            h(
              "td",
              { class: "row-actions" },
              button("Edit", { class: "small", "data-testid": `access-policy-edit-${p.displayName}` }, () => void openEditor(config, p.objectId, p.permissions)),
              button("Delete", { class: "small danger", "data-testid": `access-policy-delete-${p.displayName}` }, (b) => {
                void busy(b, "Deleting…", () => host.deleteAccessPolicy(vault.name, p.objectId)).then((done) => {
                  if (done === undefined) return;
                  notify(`The access policy of ${p.displayName} was removed.`);
                  void reload();
                });
              }),
            ),
          ),
        ),
        "No access policies: only role assignments (if RBAC is on) grant data access.",
      ),
    );
  }

  async function openEditor(config: AccessConfigView, objectId: string | null, current?: PermissionSet): Promise<void> {
    const principals = await host.listPrincipals().catch(() => []);
    const principal = h(
      "select",
      { "data-testid": "access-principal", disabled: objectId !== null },
      principals.map((p) => h("option", { value: p.objectId, selected: p.objectId === objectId }, `${p.signInName} (${p.kind})`)),
    );
    if (objectId !== null && !principals.some((p) => p.objectId === objectId)) principal.append(h("option", { value: objectId, selected: true }, objectId));
    const template = h(
      "select",
      { "data-testid": "access-template" },
      h("option", { value: "" }, "Configure from template (optional)"),
      config.templates.map((t) => h("option", { value: t.name }, t.name)),
    );
    const boxes: Record<keyof PermissionSet, HTMLInputElement[]> = { keys: [], secrets: [], certificates: [] };
    const groups = GROUPS.map(([kind, label]) =>
      h(
        "fieldset",
        { class: "permissions", "data-testid": `access-${kind}` },
        h("legend", null, label),
        config.allPermissions[kind].map((perm) => {
          const box = h("input", { type: "checkbox", value: perm, "data-testid": `access-${kind}-${perm}`, checked: current?.[kind].includes(perm) ?? false });
          boxes[kind].push(box);
          return h("label", { class: "perm" }, box, ` ${perm}`);
        }),
      ),
    );
    template.addEventListener("change", () => {
      const chosen = config.templates.find((t) => t.name === template.value);
      if (!chosen) return;
      for (const [kind] of GROUPS) for (const box of boxes[kind]) box.checked = chosen.permissions[kind].includes(box.value);
    });
    const save = h("button", { type: "submit", class: "primary", "data-testid": "access-policy-save" }, "Save");
    const form = h(
      "form",
      { class: "inline-form", novalidate: true, "aria-label": "Access policy" },
      h("h3", null, objectId === null ? "Create an access policy" : "Edit an access policy"),
      h("div", { class: "row" }, field("Principal", principal), field("Template", template)),
      h("div", { class: "row permission-groups" }, groups),
      h("div", { class: "actions" }, save, h("button", { type: "button", "data-testid": "access-policy-cancel", onclick: () => replace(editorSlot) }, "Cancel")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const picked = (kind: keyof PermissionSet) => boxes[kind].filter((b) => b.checked).map((b) => b.value);
      const permissions = { keys: picked("keys"), secrets: picked("secrets"), certificates: picked("certificates") };
      void busy(save, "Saving…", async () => {
        if (!principal.value) throw new HostError("BadParameter", "Choose a principal.");
        return host.setAccessPolicy(vault.name, principal.value, permissions);
      }).then((written) => {
        if (written === undefined) return;
        const flagged = written.flags.includes("self-granted-data-access");
        notify(flagged ? "Saved. Note: you granted yourself data access; the access log records this." : "Access policy saved.");
        replace(editorSlot, flagged ? h("p", { class: "note warn", "data-testid": "access-self-grant" }, "You granted yourself data access with this policy. Azure allows this for anyone who may write access policies (e.g. Contributor); it is flagged in the access log.") : null);
        void reload();
      });
    });
    replace(editorSlot, form);
    principal.focus();
  }

  void reload();
  return h("div", null, editorSlot, body);
}
