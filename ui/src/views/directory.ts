// The practice directory: users, groups, applications (service principals) and managed
// identities, each with an object id, for access policies, role assignments and "Signed in as".
// A new application's client secret is shown once, as Entra ID does.

import { h, replace } from "../dom";
import { host, HostError, type PrincipalKindName, type PrincipalView } from "../host";
import { busy, field, load, notify, pagedTable } from "../ui";
import { DIRECTORY_CHANGED } from "./signed-in";

const KIND_LABEL: Record<PrincipalKindName, string> = {
  user: "User",
  group: "Group",
  servicePrincipal: "Application (service principal)",
  managedIdentity: "Managed identity",
};

export function directoryView(): HTMLElement {
  const list = h("div", { "data-testid": "principal-list" });
  const secretSlot = h("div", { "aria-live": "polite" });
  const reload = () =>
    load(list, () => host.listPrincipals(), (principals) =>
      pagedTable<PrincipalView>({
        testid: "principal-table",
        items: [...principals].sort((a, b) => a.signInName.localeCompare(b.signInName)),
        text: (p) => `${p.signInName} ${p.displayName} ${p.objectId}`,
        headers: ["Name", "Type", "Object id", "Application id"],
        empty: "The directory is empty.",
        row: (p) =>
          h(
            "tr",
            { "data-testid": `principal-row-${p.signInName}` },
            h("th", { scope: "row" }, p.signInName, p.trustedService ? h("span", { class: "badge days-ok" }, "trusted service") : null),
            h("td", null, KIND_LABEL[p.kind]),
            h("td", null, h("code", null, p.objectId)),
            h("td", null, p.appId ? h("code", null, p.appId) : "—"),
          ),
      }),
    );

  const kind = h(
    "select",
    { "data-testid": "principal-kind" },
    (Object.keys(KIND_LABEL) as PrincipalKindName[]).map((k) => h("option", { value: k }, KIND_LABEL[k])),
  );
  const name = h("input", { type: "text", "data-testid": "principal-name", autocomplete: "off", spellcheck: "false" });
  const upn = h("input", { type: "email", "data-testid": "principal-upn", autocomplete: "off", spellcheck: "false", placeholder: "alice@petdash.example" });
  const upnField = field("User principal name", upn);
  kind.addEventListener("change", () => (upnField.hidden = kind.value !== "user"));
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "principal-create" }, "Create");
  const form = h(
    "form",
    { class: "inline-form", novalidate: true, "aria-label": "Create a principal" },
    h("h3", null, "Create a principal"),
    h("div", { class: "row" }, field("Type", kind), field("Display name", name), upnField),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void busy(submit, "Creating…", async () => {
      const k = kind.value as PrincipalKindName;
      const display = name.value.trim() || upn.value.trim().split("@")[0] || "";
      if (display === "") throw new HostError("BadParameter", "Enter a display name.");
      return host.createPrincipal(k, display, k === "user" ? upn.value.trim() : null);
    }).then((created) => {
      if (created === undefined) return;
      notify(`${KIND_LABEL[created.principal.kind]} '${created.principal.signInName}' created.`);
      replace(
        secretSlot,
        created.clientSecret
          ? h(
              "div",
              { class: "note", "data-testid": "principal-secret" },
              "Client secret (shown once, copy it now): ",
              h("code", null, created.clientSecret),
              ` · application id ${created.principal.appId ?? ""}`,
            )
          : null,
      );
      name.value = "";
      upn.value = "";
      window.dispatchEvent(new Event(DIRECTORY_CHANGED));
      void reload();
    });
  });

  void reload();
  return h(
    "section",
    { class: "page", "aria-labelledby": "page-title" },
    h("header", { class: "page-header" }, h("h1", { id: "page-title" }, "Directory"), h("p", { class: "muted" }, "The practice tenant's users, groups, applications and managed identities")),
    form,
    secretSlot,
    list,
  );
}
