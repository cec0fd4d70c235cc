import type { ReactNode } from 'react';
import { allows, mayAdminister, useCaller, type Role } from '../auth';

/**
 * A page that needs more than the caller's token has: says so instead of showing a form whose
 * every action the API would refuse. The navigation hides these pages already; this covers an
 * address typed or followed by hand. The API still decides.
 */
export function Requires({ role, unscoped = false, what, children }: { role: Role; unscoped?: boolean; what: string; children: ReactNode }) {
  const caller = useCaller();
  const allowed = unscoped ? role === 'admin' && mayAdminister(caller) : allows(caller.role, role);
  if (allowed) {
    return <>{children}</>;
  }
  const why = unscoped && caller.scope
    ? `a scoped token (${caller.scope}) cannot ${what}: it needs an unscoped ${role} token`
    : `your token's role (${caller.role}) cannot ${what}: it needs ${role}`;
  return (
    <section>
      <h1>Not allowed</h1>
      <p role="alert" className="problem" data-testid="not-allowed">{why.charAt(0).toUpperCase() + why.slice(1)}.</p>
    </section>
  );
}
