// "Signed in as": the top bar's switcher between the installation's owner and the practice
// directory's users, service principals and managed identities. Every request after a switch
// runs as the chosen principal, so the access configuration decides what works; a refusal
// shows its reason in the alert region. Groups cannot sign in and are not offered.
//
// A menu button (a button that opens a list of buttons) rather than a <select>: every pick is a
// click or a key press on a button, which behaves the same for people, screen readers and
// WebDriver (WebKit's driver does not always report a <select> pick as a change).

import { h, replace } from "../dom";
import { host, type PrincipalView } from "../host";
import { notify, showError } from "../ui";

const OWNER = "owner";

/** The window event the directory view sends after it adds or removes a principal. */
export const DIRECTORY_CHANGED = "vaultmort-directory-changed";

/** The switcher; `switched` re-renders the page as the new principal. */
export function signedInSwitcher(switched: () => void): HTMLElement {
  const toggle = h("button", { type: "button", class: "signed-in-toggle", "data-testid": "signed-in-as", "aria-haspopup": "menu", "aria-expanded": "false" }, "…");
  const menu = h("ul", { class: "signed-in-menu", role: "menu", "aria-label": "Sign in as", hidden: true });
  const wrap = h("div", { class: "signed-in" }, h("span", { class: "topbar-note" }, "Signed in as"), toggle, menu);

  const close = () => {
    menu.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
  };

  const pick = (query: string) => {
    close();
    toggle.disabled = true;
    void host
      .signInAs(query)
      .then((me) => {
        notify(`Signed in as ${me.name}.`);
        show(me.name, me.owner);
        switched();
      })
      .catch(showError)
      .finally(() => {
        toggle.disabled = false;
        toggle.focus();
      });
  };

  const show = (name: string, owner: boolean) => {
    toggle.textContent = owner ? `${name} (owner)` : name;
    toggle.dataset.current = name;
  };

  const open = async (): Promise<void> => {
    const [me, principals] = await Promise.all([host.signedIn(), host.listPrincipals().catch((): PrincipalView[] => [])]);
    const choices = principals.filter((p) => p.kind !== "group" && !p.trustedService && p.objectId !== me.objectId && p.signInName !== me.name);
    const item = (label: string, query: string, testid: string) =>
      h("li", { role: "none" }, h("button", { type: "button", role: "menuitem", "data-testid": testid, onclick: () => pick(query) }, label));
    replace(
      menu,
      me.owner ? null : item("the owner", OWNER, "signed-in-option-owner"),
      choices.map((p) => item(`${p.signInName} (${p.kind})`, p.objectId, `signed-in-option-${p.signInName}`)),
      choices.length === 0 && me.owner ? h("li", { class: "muted" }, "Add users or applications under Directory first.") : null,
    );
    menu.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    menu.querySelector("button")?.focus();
  };

  toggle.addEventListener("click", () => (menu.hidden ? void open().catch(showError) : close()));
  menu.addEventListener("keydown", (ev) => {
    const items = [...menu.querySelectorAll<HTMLButtonElement>("button")];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (ev.key === "Escape") {
      close();
      toggle.focus();
    } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      const next = items[(at + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length];
      next?.focus();
    }
  });
  document.addEventListener("click", (ev) => {
    if (!wrap.contains(ev.target as Node)) close();
  });
  // Someone else may be remembered from the last session.
  const refresh = () => void host.signedIn().then((me) => show(me.name, me.owner), () => undefined);
  window.addEventListener(DIRECTORY_CHANGED, refresh);
  refresh();
  return wrap;
}
