// Where the user is, kept in the URL hash so Back/Forward and reloads work under
// tauri://localhost and file:// alike: #/ , #/create-vault , #/expiring , #/vault/<name>/<tab>.

export const TABS = ["overview", "keys", "secrets", "certificates", "deleted-secrets"] as const;
export type Tab = (typeof TABS)[number];
export const TAB_LABELS: Record<Tab, string> = {
  overview: "Overview",
  keys: "Keys",
  secrets: "Secrets",
  certificates: "Certificates",
  "deleted-secrets": "Deleted secrets",
};

export type Route =
  | { page: "vaults" }
  | { page: "create-vault"; group?: string }
  | { page: "expiring" }
  | { page: "vault"; vault: string; tab: Tab };

export function isTab(s: string | undefined): s is Tab {
  return (TABS as readonly (string | undefined)[]).includes(s);
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  switch (parts[0]) {
    case "create-vault":
      return parts[1] ? { page: "create-vault", group: parts[1] } : { page: "create-vault" };
    case "expiring":
      return { page: "expiring" };
    case "vault": {
      const vault = parts[1];
      if (!vault) return { page: "vaults" };
      const tab = parts[2];
      return { page: "vault", vault, tab: isTab(tab) ? tab : "overview" };
    }
    default:
      return { page: "vaults" };
  }
}

export function href(route: Route): string {
  switch (route.page) {
    case "vaults":
      return "#/";
    case "create-vault":
      return route.group ? `#/create-vault/${encodeURIComponent(route.group)}` : "#/create-vault";
    case "expiring":
      return "#/expiring";
    case "vault":
      return `#/vault/${encodeURIComponent(route.vault)}/${route.tab}`;
  }
}

export function go(route: Route): void {
  location.hash = href(route);
}
