import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Stream } from '../../core/domain/entry.js';
import { ErrorBody } from '../../core/domain/schemas/common-schemas.js';
import type { AuditLog } from '../../core/services/audit-log.js';
import { parseTreeSize } from '../../core/services/merkle-log.js';

const Hashes = Type.Array(Type.String({ description: 'hex SHA-256' }));

const Cosignature = Type.Object({
  treeSize: Type.Integer(),
  rootHash: Type.String({ description: 'hex' }),
  witness: Type.String(),
  keyId: Type.String({ description: 'hex of the 4-byte cosignature/v1 key id' }),
  line: Type.String({ description: 'the cosignature line of the note, c2sp.org/tlog-cosignature' }),
  time: Type.Integer({ description: 'unix seconds the witness signed at' }),
  receivedAt: Type.String(),
});

const Checkpoint = Type.Object({
  origin: Type.String(),
  treeSize: Type.Integer(),
  rootHash: Type.String({ description: 'hex' }),
  note: Type.String({
    description: 'C2SP signed note: origin, tree size, base64 root; Ed25519 signature line',
  }),
  verifierKey: Type.String({ description: 'c2sp.org/signed-note verifier key of the log' }),
  publicKey: Type.String({ description: 'PEM (SPKI) of the same Ed25519 key' }),
  cosignatures: Type.Array(Cosignature, { description: 'witness cosignatures of this tree size' }),
});

const ProofBundle = Type.Object({
  format: Type.Literal('auditlog-proof/v1'),
  entry: Type.Object({
    tenant: Type.String(),
    seq: Type.Integer(),
    stream: Type.Union([Type.Literal('event'), Type.Literal('auth')]),
    receivedAt: Type.String(),
    prevHash: Type.String(),
    body: Type.String({ description: 'the stored canonical JSON, the bytes the hash covers' }),
    hash: Type.String(),
  }),
  leafIndex: Type.Integer(),
  treeSize: Type.Integer(),
  inclusionProof: Hashes,
  checkpoint: Type.String({ description: 'the signed note of the tree of treeSize entries' }),
});

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };

/** The inclusion proof of one entry of a stream, by id (both streams are leaves of one tree). */
function proofRoute(
  app: FastifyInstance,
  log: AuditLog,
  stream: Stream,
  route: { path: string; operationId: string; summary: string },
): void {
  app.get(
    route.path,
    {
      config: { scope: 'read' },
      schema: {
        operationId: route.operationId,
        summary: route.summary,
        tags: ['integrity'],
        params: Type.Object({ id: Type.String() }, { additionalProperties: false }),
        querystring: Type.Object({ treeSize: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 200: ProofBundle, ...errors, 404: ErrorBody },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const query = request.query as Record<string, unknown>;
      const size = parseTreeSize(query.treeSize, 'treeSize');
      return log.merkle.prove(request.principal.tenant, id, size, stream);
    },
  );
}

/** The verifiable log (docs/merkle.md): RFC 9162 proofs over each tenant's entries, C2SP checkpoints, witnesses. */
export async function proofRoutes(app: FastifyInstance, { log }: { log: AuditLog }): Promise<void> {
  app.get(
    '/v1/integrity/merkle/checkpoint',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getMerkleCheckpoint',
        summary: "The signed checkpoint (C2SP note) of the tenant's Merkle tree, now or at treeSize",
        tags: ['integrity'],
        querystring: Type.Object({ treeSize: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 200: Checkpoint, ...errors },
      },
    },
    async (request) => {
      const tenant = request.principal.tenant;
      const query = request.query as Record<string, unknown>;
      const head = await log.merkle.checkpoint(tenant, parseTreeSize(query.treeSize, 'treeSize'));
      const cosignatures = (await log.merkle.cosignatures(tenant)).filter(
        (c) => c.treeSize === head.treeSize,
      );
      return {
        ...head,
        publicKey: log.checkpoints.publicKeyPem,
        cosignatures: cosignatures.map(({ receivedMs, ...c }) => ({
          ...c,
          receivedAt: new Date(receivedMs).toISOString(),
        })),
      };
    },
  );

  proofRoute(app, log, 'event', {
    path: '/v1/integrity/merkle/proofs/events/:id',
    operationId: 'getEventInclusionProof',
    summary:
      'A self-contained proof that one event is in the log: the entry, its inclusion proof, the signed checkpoint',
  });
  proofRoute(app, log, 'auth', {
    path: '/v1/integrity/merkle/proofs/auth-events/:id',
    operationId: 'getAuthEventInclusionProof',
    summary:
      'The same proof for one authentication event (sign-in, logout, failure): its entry is a leaf of the same tree',
  });

  app.get(
    '/v1/integrity/merkle/consistency',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getMerkleConsistencyProof',
        summary: 'The RFC 9162 consistency proof from the tree of size `from` to the tree of size `to`',
        tags: ['integrity'],
        querystring: Type.Object(
          { from: Type.String(), to: Type.Optional(Type.String()) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ from: Type.Integer(), to: Type.Integer(), proof: Hashes }),
          ...errors,
        },
      },
    },
    async (request) => {
      const tenant = request.principal.tenant;
      const query = request.query as Record<string, unknown>;
      const from = parseTreeSize(query.from ?? '', 'from')!;
      const to = parseTreeSize(query.to, 'to') ?? (await log.merkle.checkpoint(tenant)).treeSize;
      return { from, to, proof: await log.merkle.consistency(tenant, from, to) };
    },
  );

  app.post(
    '/v1/integrity/merkle/cosignatures',
    {
      config: { scope: 'ingest' },
      schema: {
        operationId: 'postMerkleCosignature',
        summary:
          "A witness's cosignature of one of the log's checkpoints (kept and shown with the checkpoint)",
        tags: ['integrity'],
        body: Type.Object(
          {
            note: Type.String({ description: 'the checkpoint note with the cosignature line' }),
            witnessKey: Type.String({ description: 'cosignature/v1 verifier key of the witness' }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Cosignature, ...errors, 415: ErrorBody },
      },
    },
    async (request, reply) => {
      const { receivedMs, ...c } = await log.merkle.addCosignature(
        request.principal.tenant,
        request.body,
        log.now(),
      );
      return reply.code(201).send({ ...c, receivedAt: new Date(receivedMs).toISOString() });
    },
  );
}
