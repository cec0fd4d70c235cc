import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { ConnectionLost, ProblemError } from '../api/client';
import { ProblemView } from './ProblemView';

describe('ProblemView', () => {
  afterEach(cleanup);

  it('shows the title, status, detail and extension members as the API said them', () => {
    render(<ProblemView error={new ProblemError({
      type: 'urn:muster:problem:invalid-selector', title: 'Bad request', status: 400,
      detail: "selector 'role in (' is not valid at column 9: expected a value", instance: '/api/v1/hosts',
      column: 9, expected: 'a value',
    })} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Bad request (400)');
    expect(alert.textContent).toContain('not valid at column 9');
    expect(alert.textContent).toContain('column: 9');
    expect(alert.getAttribute('data-problem-type')).toBe('urn:muster:problem:invalid-selector');
  });

  it('says a lost connection is being retried', () => {
    render(<ProblemView error={new ConnectionLost(new TypeError('Failed to fetch'))} />);
    expect(screen.getByRole('alert').textContent).toContain('cannot be reached: Failed to fetch; retrying');
  });
});
