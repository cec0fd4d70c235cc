import { describe, expect, it } from 'vitest';
import { scheduleRequest, scheduleWhat } from './Schedules';

describe('the schedule form', () => {
  it('builds the request of POST /api/v1/schedules: an exec task on a selector', () => {
    expect(scheduleRequest('nightly', '0 3 * * *', 'Europe/London', 'role=web', 'apt-get update')).toEqual({
      request: {
        name: 'nightly', cron: '0 3 * * *', timezone: 'Europe/London', concurrencyPolicy: 'forbid', catchUp: 'none', paused: false,
        task: { target: { selector: 'role=web' }, kind: 'exec', timeoutSeconds: 300, dryRun: false, spec: { shell: 'apt-get update' } },
      },
    });
    expect(scheduleRequest('x', '@every 1h', '', 'a=b', 'true')).toMatchObject({ request: { timezone: 'UTC' } });
  });

  it('refuses an incomplete form before any call', () => {
    expect(scheduleRequest(' ', '@every 1h', 'UTC', 'a=b', 'true')).toEqual({ error: 'a schedule needs a name' });
    expect(scheduleRequest('n', '', 'UTC', 'a=b', 'true')).toHaveProperty('error');
    expect(scheduleRequest('n', '@every 1h', 'UTC', '', 'true')).toEqual({ error: 'a schedule needs a target selector' });
  });

  it('says what a tick creates', () => {
    expect(scheduleWhat({ task: { kind: 'exec', target: { selector: 'role=web' }, spec: { shell: 'uptime' } } }))
      .toBe('task exec uptime on {"selector":"role=web"}');
    expect(scheduleWhat({ rollout: { kind: 'exec', target: { selector: 'dc=ldn1' }, spec: { command: ['apt', 'upgrade'] } } }))
      .toBe('rollout exec apt upgrade on {"selector":"dc=ldn1"}');
  });
});
