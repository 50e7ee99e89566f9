// A vault's "Access control (IAM)": the role assignments that apply to it (made here or
// inherited from its resource group and subscription), adding one at the vault, resource group
// or subscription scope, removing one, and "Check access": what a principal may do here and the
// rule that decides each operation.

import { h, replace } from "../dom";
import { host, HostError, type VaultView } from "../host";
import { busy, button, field, load, notify, table } from "../ui";

export function iamPanel(vault: VaultView): HTMLElement {
  const list = h("div", { "data-testid": "iam-list" });
  const formSlot = h("div");
  const checkSlot = h("div", { "data-testid": "iam-check-result" });
  const groupScope = vault.resourceId.replace(/\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+$/, "");
  const subscriptionScope = groupScope.replace(/\/resourceGroups\/[^/]+$/, "");

  const reload = () =>
    load(list, () => host.listRoleAssignments(vault.resourceId), (assignments) =>
      table(
        ["Role", "Principal", "Type", "Scope", ""],
        assignments.map((a) =>
          h(
            "tr",
            { "data-testid": `iam-row-${a.role}-${a.principalId}` },
            h("th", { scope: "row" }, a.role),
            h("td", null, h("code", null, a.principalId)),
            h("td", null, a.principalType),
            h("td", null, a.scope === vault.resourceId ? "This vault" : a.scope === groupScope ? "Resource group (inherited)" : a.scope === subscriptionScope ? "Subscription (inherited)" : a.scope),
            h(
              "td",
              { class: "row-actions" },
              button("Remove", { class: "small danger", "data-testid": `iam-remove-${a.id}` }, (b) => {
                void busy(b, "Removing…", () => host.deleteRoleAssignment(a.id)).then((ok) => {
                  if (ok === undefined) return;
                  notify(`Removed ${a.role}.`);
                  void reload();
                });
              }),
            ),
          ),
        ),
        "No role assignments apply to this vault.",
      ),
    );

  async function openAdd(): Promise<void> {
    const [roles, principals] = await Promise.all([host.listRoleDefinitions(), host.listPrincipals()]);
    const role = h("select", { "data-testid": "iam-role" }, roles.map((r) => h("option", { value: r.name, title: r.description }, r.name)));
    const principal = h("select", { "data-testid": "iam-principal" }, principals.map((p) => h("option", { value: p.objectId }, `${p.signInName} (${p.kind})`)));
    const scope = h(
      "select",
      { "data-testid": "iam-scope" },
      h("option", { value: vault.resourceId }, "This vault"),
      h("option", { value: groupScope }, `Resource group ${vault.resourceGroup}`),
      h("option", { value: subscriptionScope }, "Subscription"),
    );
    const save = h("button", { type: "submit", class: "primary", "data-testid": "iam-save" }, "Assign");
    const form = h(
      "form",
      { class: "inline-form", novalidate: true, "aria-label": "Add role assignment" },
      h("h3", null, "Add role assignment"),
      h("div", { class: "row" }, field("Role", role), field("Assign to", principal), field("Scope", scope)),
      h("div", { class: "actions" }, save, h("button", { type: "button", onclick: () => replace(formSlot) }, "Cancel")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void busy(save, "Assigning…", async () => {
        if (!principal.value) throw new HostError("BadParameter", "Choose a principal.");
        return host.createRoleAssignment(principal.value, role.value, scope.value);
      }).then((a) => {
        if (a === undefined) return;
        notify(`${a.role} assigned.`);
        replace(formSlot);
        void reload();
      });
    });
    replace(formSlot, form);
    role.focus();
  }

  async function openCheck(): Promise<void> {
    const principals = (await host.listPrincipals()).filter((p) => p.kind !== "group");
    const principal = h("select", { "data-testid": "iam-check-principal" }, principals.map((p) => h("option", { value: p.objectId }, `${p.signInName} (${p.kind})`)));
    const run = h("button", { type: "submit", class: "primary", "data-testid": "iam-check-run" }, "Check");
    const form = h("form", { class: "inline-form row", novalidate: true, "aria-label": "Check access" }, field("Principal", principal), h("div", { class: "actions" }, run));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void busy(run, "Checking…", () => host.checkAccess(principal.value, vault.name)).then((lines) => {
        if (lines === undefined) return;
        replace(
          checkSlot,
          table(
            ["Operation", "Permission", "Data action", "Allowed", "Rule"],
            lines.map((l) =>
              h(
                "tr",
                { class: l.allowed ? "allowed" : "denied" },
                h("th", { scope: "row" }, l.operation),
                h("td", null, l.permission),
                h("td", null, l.dataAction ?? "—"),
                h("td", null, h("span", { class: `badge ${l.allowed ? "days-ok" : "days-expired"}` }, l.allowed ? "Yes" : "No")),
                h("td", null, l.rule),
              ),
            ),
            "No operations.",
          ),
        );
      });
    });
    replace(formSlot, form);
    principal.focus();
  }

  void reload();
  return h(
    "div",
    null,
    h(
      "div",
      { class: "toolbar", role: "toolbar", "aria-label": "Access control actions" },
      button("+ Add role assignment", { class: "primary", "data-testid": "iam-add-open" }, () => void openAdd()),
      button("Check access", { "data-testid": "iam-check-open" }, () => void openCheck()),
      button("↻ Refresh", { "data-testid": "iam-refresh" }, () => void reload()),
    ),
    formSlot,
    checkSlot,
    list,
  );
}
