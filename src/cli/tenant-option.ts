import { InvalidArgumentError, Option } from 'commander';
import { TENANT_PATTERN, TENANT_RULE } from '../core/domain/tokens.js';

/**
^ * `--tenant` of a command that creates in a tenant (import, demo, retention set, hold create, destination create). A
 * name no token can be made for (``, `../x`, `###`) would be sealed into a chain that nothing in the API can
 * ever read, export or purge: it is refused with the API's own rule, exit 2, before the store is opened.
 * The other commands keep taking any name, so what an older version wrote stays readable, erasable, releasable.
 */
export function tenantOption(description: string, defaultValue?: string): Option {
  const option = new Option('--tenant <tenant>', description).argParser((value: string) => {
    if (!TENANT_PATTERN.test(value)) throw new InvalidArgumentError(`a tenant name ${TENANT_RULE}.`);
    return value;
  });
  return defaultValue === undefined ? option.makeOptionMandatory() : option.default(defaultValue);
}
