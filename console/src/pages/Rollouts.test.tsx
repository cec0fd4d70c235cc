import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { parseAmounts, rolloutRequest } from './Rollouts';
import { actionsFor, ProgressBar } from './RolloutPage';
import { changeOf } from './Overview';

describe('the rollout form', () => {
  it('reads waves as counts and percents, and says what is wrong', () => {
    expect(parseAmounts('1, 5 ,25%')).toEqual([1, 5, '25%']);
    expect(parseAmounts('1, five')).toBe("'five' is neither a count of hosts nor a percent such as 25%");
    expect(parseAmounts(' ')).toMatch(/at least one wave/);
  });

  it('builds the request of POST /api/v1/rollouts or refuses before any call', () => {
    const built = rolloutRequest('role=web', 'uptime', '1,50%', '2', 5);
    expect(built).toEqual({
      request: {
        target: { selector: 'role=web' }, kind: 'exec', spec: { shell: 'uptime' }, timeoutSeconds: 300, dryRun: false,
        strategy: { waves: [1, '50%'], maxFailures: 2, pauseBetweenWavesSeconds: 5 },
      },
    });
    expect(rolloutRequest('', 'uptime', '1', '0', 0)).toEqual({ error: 'a rollout needs a target selector' });
    expect(rolloutRequest('a=b', 'uptime', '1', '1,2', 0)).toEqual({ error: 'failure budget: one count or percent, e.g. 0 or 5%' });
  });
});

describe('the rollout page', () => {
  it('offers only the actions the state allows', () => {
    expect(actionsFor('running')).toEqual(['pause', 'abort']);
    expect(actionsFor('paused')).toEqual(['resume', 'abort']);
    expect(actionsFor('waiting_approval')).toEqual(['pause', 'resume', 'abort']);
    expect(actionsFor('halted')).toEqual(['resume', 'abort']);
    expect(actionsFor('succeeded')).toEqual([]);
  });

  it('draws a wave as parts of its hosts, named for a screen reader', () => {
    render(<ProgressBar counts={{ succeeded: 3, failed: 1, planned: 6 }} total={10} label="wave 1" />);
    const bar = screen.getByRole('img');
    expect(bar.getAttribute('aria-label')).toBe('wave 1: 3 succeeded, 1 failed, 6 planned');
    expect((bar.children[0] as HTMLElement).style.width).toBe('30%');
  });
});

describe('the overview change feed', () => {
  it('reads the CloudEvents of the fleet event stream', () => {
    const cloud = (type: string, data: object) =>
      ({ event: type, id: '5.1', data: JSON.stringify({ type, subject: 'h-1', time: '2026-12-03T08:00:00Z', data }) });
    expect(changeOf(cloud('host.offline', { host: 'h-1', state: 'offline', previous: 'online' }), 'k'))
      .toEqual({ key: 'k', host: 'h-1', type: 'host.offline', text: 'offline (was online)', at: '2026-12-03T08:00:00Z' });
    expect(changeOf(cloud('host.lifecycle.changed', { lifecycle: 'cordoned', previous: 'ready' }), 'k')?.text)
      .toBe('lifecycle ready → cordoned');
    expect(changeOf({ event: 'host.online', id: '', data: 'not json' }, 'k')).toBeNull();
  });
});
