import { Ajv, type ValidateFunction } from 'ajv';

/** What a response is checked against: one operation of the server's own /openapi.json. */
export interface ResponseSeen {
  method: string;
  /** The route as Fastify names it (`/v1/events/:id`), or undefined when no route matched. */
  route: string | undefined;
  status: number;
  contentType: string | undefined;
  body: string;
}

type Doc = { paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>> };
type ResponseObject = { content?: Record<string, { schema?: unknown }> };

/**
 * Checks answers against the OpenAPI document with Ajv over the document's own schemas (OpenAPI 3.0 schema
 * objects: `nullable` is Ajv's, `x-` extensions are ignored): the status must be one the operation
 * documents, and a JSON body must match that status's schema. Returns the problem, or null.
 */
export function openApiResponseChecker(document: object): (seen: ResponseSeen) => string | null {
  const doc = document as Doc;
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
  ajv.addSchema(doc, 'openapi.json');
  const validators = new Map<string, ValidateFunction>();
  const errorBodyRef = findErrorBody(doc);

  return (seen) => {
    const path = seen.route?.replace(/:(\w+)/g, '{$1}');
    const operation = path ? doc.paths[path]?.[seen.method.toLowerCase()] : undefined;
    let ref: string | undefined;
    if (!operation) {
      // No route (404), or a method the path lacks (405): the error body.
      if (seen.status < 400) return null;
      ref = errorBodyRef;
    } else {
      const documented = operation.responses[String(seen.status)];
      if (!documented) return `${seen.method} ${path}: status ${seen.status} is not documented`;
      const media = seen.contentType?.split(';')[0]?.trim();
      if (!media || !documented.content) return null;
      if (!documented.content[media])
        return `${seen.method} ${path} ${seen.status}: ${media} is not documented`;
      if (media !== 'application/json') return null;
      ref = pointer(
        'paths',
        path as string,
        seen.method.toLowerCase(),
        'responses',
        String(seen.status),
        'content',
        media,
        'schema',
      );
    }
    if (!ref || seen.body === '') return null;
    let validate = validators.get(ref);
    if (!validate) {
      validate = ajv.getSchema(ref);
      if (!validate) return `no schema at ${ref}`;
      validators.set(ref, validate);
    }
    const body = JSON.parse(seen.body) as unknown;
    if (validate(body)) return null;
    return `${seen.method} ${path ?? seen.route} ${seen.status}: ${ajv.errorsText(validate.errors)} in ${seen.body.slice(0, 300)}`;
  };
}

/** A pointer to one documented error body (every 401 is one). */
function findErrorBody(doc: Doc): string | undefined {
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (op.responses['401']?.content?.['application/json']) {
        return pointer('paths', path, method, 'responses', '401', 'content', 'application/json', 'schema');
      }
    }
  }
  return undefined;
}

/** A JSON Pointer into the document, as an Ajv reference (`~1` for `/`, then URI-encoded). */
function pointer(...tokens: string[]): string {
  const escaped = tokens.map((t) => encodeURIComponent(t.replace(/~/g, '~0').replace(/\//g, '~1')));
  return `openapi.json#/${escaped.join('/')}`;
}
