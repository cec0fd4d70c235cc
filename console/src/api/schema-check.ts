import { send, type Schemas } from './client';

// Proof that tsc checks the console's use of the API against the generated OpenAPI types: each
// directive below expects an error. If the document ever gains the field, or the types stop
// being checked (a hand-written type, an `any`), the directive is unused and tsc fails the build.

export function unknownResponseField(run: Schemas['Run']): unknown {
  // @ts-expect-error Run has no field 'exitStatus' in the document (it is exitCode)
  return run.exitStatus;
}

export const unknownRequestField: Schemas['TokenRequest'] = {
  name: 'ci',
  role: 'viewer',
  // @ts-expect-error TokenRequest has no field 'ttlSeconds' in the document (it is expiresInSeconds)
  ttlSeconds: 60,
};

export function unknownBodyField() {
  return send<Schemas['SecretCreated'], Schemas['TokenRequest']>('POST', '/api/v1/tokens', {
    name: 'ci',
    role: 'viewer',
    // @ts-expect-error a request body is its generated type: TokenRequest has no field 'ttlSeconds'
    ttlSeconds: 60,
  });
}

export function bodyWithoutItsType() {
  // @ts-expect-error a body is sent only with its generated request type named (send's B is not inferred)
  return send('POST', '/api/v1/tokens', { name: 'ci', role: 'viewer' });
}
