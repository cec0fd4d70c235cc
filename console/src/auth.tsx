import { createContext, useContext } from 'react';
import type { Whoami } from './api/client';

export type Role = Whoami['role'];
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether a caller of role {@code have} may do what needs role {@code need} (roles nest). */
export function allows(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

/** The signed-in caller as the API described it (GET /api/v1/whoami). */
export const CallerContext = createContext<Whoami | null>(null);

export function useCaller(): Whoami {
  const caller = useContext(CallerContext);
  if (!caller) {
    throw new Error('useCaller outside a signed-in page');
  }
  return caller;
}

/** True when the caller may do what needs {@code role}. */
export function useAllowed(role: Role): boolean {
  return allows(useCaller().role, role);
}

/** Admin pages need an unscoped admin token (scoped tokens cannot use tokens or audit). */
export function mayAdminister(caller: Whoami): boolean {
  return caller.role === 'admin' && !caller.scope;
}
