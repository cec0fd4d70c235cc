import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { CallerContext } from '../auth';
import type { Whoami } from '../api/client';
import { Requires } from './Requires';

const as = (caller: Partial<Whoami>, node: ReactNode) =>
  render(<CallerContext.Provider value={{ tokenId: 't', name: 'n', role: 'viewer', scope: null, expiresAt: null, ...caller } as Whoami}>{node}</CallerContext.Provider>);

describe('a page that needs a role', () => {
  afterEach(cleanup);

  it('tells a viewer their token\'s role cannot, instead of the form', () => {
    as({ role: 'viewer' }, <Requires role="operator" what="run tasks"><form aria-label="run" /></Requires>);
    expect(screen.getByTestId('not-allowed').textContent).toBe('Your token\'s role (viewer) cannot run tasks: it needs operator.');
    expect(screen.queryByRole('form')).toBeNull();
  });

  it('shows the page to a role that may, and refuses admin pages to a scoped admin', () => {
    as({ role: 'operator' }, <Requires role="operator" what="run tasks"><p>the form</p></Requires>);
    expect(screen.getByText('the form')).toBeTruthy();
    cleanup();
    as({ role: 'admin', scope: 'muster.io/team=blue' }, <Requires role="admin" unscoped what="manage tokens"><p>admin</p></Requires>);
    expect(screen.getByTestId('not-allowed').textContent).toContain('A scoped token (muster.io/team=blue) cannot manage tokens');
  });
});
