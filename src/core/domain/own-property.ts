/**
 * Sets a key on a plain object as an own data property. `obj[key] = value` would call the `__proto__`
 * setter for a key named "__proto__" (which JSON allows and clients may send as data) and change the
 * object's prototype instead of storing the value.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
