// The key catalog from the backend (`keyCatalog`), fetched once and shared by the key form, the
// try-it panel and the certificate policy form: they offer exactly the key types, sizes, curves,
// operations and algorithms (with the digest each signs) that it lists, and hold no list of
// their own. Left out: any rule about keys; the catalog is the core's.

import { host, HostError, type KeyCatalogView, type KeyKind, type KeyShapesView, type KeyTypeView, type SignatureAlgorithmView } from "../host";

let cached: Promise<KeyCatalogView> | null = null;

/** The catalog, asked for once; a failed request (the store still locked, say) is asked again. */
export function keyCatalog(): Promise<KeyCatalogView> {
  if (cached === null) {
    const pending = host.keyCatalog();
    cached = pending;
    pending.catch(() => {
      if (cached === pending) cached = null;
    });
  }
  return cached;
}

/** The key type as the create commands take it; a type they do not take is refused here. */
export function keyKind(kty: string): KeyKind {
  if (kty === "RSA" || kty === "EC") return kty;
  throw new HostError("BadParameter", `Keys of type ${kty} cannot be created from this form.`);
}

/** Types that can be chosen: available here, and taken by the create commands. */
function choosable<T extends { kty: string; available: boolean }>(shapes: T): boolean {
  return shapes.available && (shapes.kty === "RSA" || shapes.kty === "EC");
}

/** The key families the create-key form offers (RSA, EC), in the catalog's order; "Protection: HSM" picks each one's twin ([`hsmTwin`]). */
export function creatableKeyTypes(catalog: KeyCatalogView): KeyTypeView[] {
  return catalog.keyTypes.filter((t) => choosable(t.shapes));
}

/** The HSM twin of a key family (`RSA` → `RSA-HSM`) when this installation can make HSM keys. */
export function hsmTwin(catalog: KeyCatalogView, family: string): KeyTypeView | undefined {
  const twin = keyTypeOf(catalog, `${family}-HSM`);
  return twin?.shapes.available ? twin : undefined;
}

/** The key types the certificate policy form offers, in the catalog's order. */
export function certificateKeyTypes(catalog: KeyCatalogView): KeyShapesView[] {
  return catalog.certificateKeyTypes.filter(choosable);
}

/** The catalog's entry for a key type (`RSA`, `EC-HSM`, ...). */
export function keyTypeOf(catalog: KeyCatalogView, kty: string): KeyTypeView | undefined {
  return catalog.keyTypes.find((t) => t.shapes.kty === kty);
}

/** The signature algorithms a key can use: those of its type that fit its curve. */
export function signatureAlgorithmsFor(catalog: KeyCatalogView, key: { kty: string; curve: string | null }): SignatureAlgorithmView[] {
  const entry = keyTypeOf(catalog, key.kty);
  return entry?.signatureAlgorithms.filter((a) => a.curve === null || key.curve === null || a.curve === key.curve) ?? [];
}
