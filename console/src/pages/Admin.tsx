import { useState, type FormEvent } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, query, send, type AuditPage, type Schemas, type Token } from '../api/client';
import { ProblemView } from '../components/ProblemView';
import { Confirm } from '../components/Confirm';
import { ago } from '../format';

/** Admin: API tokens (create, secret shown once; revoke), enrollment tokens, the audit log. */
export default function Admin() {
  return (
    <section>
      <h1>Admin</h1>
      <Tokens />
      <Enrollment />
      <Audit />
    </section>
  );
}

function Secret({ label, secret }: { label: string; secret: string }) {
  return (
    <div className="secret" role="status">
      {label} (shown once, copy it now): <code data-testid="secret">{secret}</code>{' '}
      <button type="button" onClick={() => navigator.clipboard?.writeText(secret)}>Copy</button>
    </div>
  );
}

function Tokens() {
  const client = useQueryClient();
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: ({ signal }) => get<Schemas['TokenList']>('/api/v1/tokens', signal) });
  const [name, setName] = useState('');
  const [role, setRole] = useState<Token['role']>('viewer');
  const [scope, setScope] = useState('');
  const [expires, setExpires] = useState('');
  const [revoking, setRevoking] = useState<Token | null>(null);
  const create = useMutation({
    mutationFn: () => send<Schemas['SecretCreated'], Schemas['TokenRequest']>('POST', '/api/v1/tokens', {
      name, role, ...(scope ? { scope } : {}), ...(expires ? { expiresInSeconds: Number(expires) } : {}),
    }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tokens'] }),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => send('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`),
    onSuccess: () => { setRevoking(null); void client.invalidateQueries({ queryKey: ['tokens'] }); },
  });
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  return (
    <>
      <h2>API tokens</h2>
      <form className="inline-form" onSubmit={submit}>
        <label>Name <input value={name} onChange={(e) => setName(e.target.value)} required /></label>
        <label>Role <select value={role} onChange={(e) => setRole(e.target.value as Token['role'])}>
          <option>viewer</option><option>operator</option><option>admin</option></select></label>
        <label>Scope <input className="mono" value={scope} onChange={(e) => setScope(e.target.value)} placeholder="team=payments" /></label>
        <label>Expires in (s) <input type="number" min={1} value={expires} onChange={(e) => setExpires(e.target.value)} /></label>
        <button type="submit" className="primary" disabled={create.isPending}>Create token</button>
      </form>
      <ProblemView error={create.error} />
      {create.data && <Secret label={`Token ${create.data.id}`} secret={create.data.token} />}
      <ProblemView error={tokens.error} />
      <table className="grid">
        <thead><tr><th>Name</th><th>Role</th><th>Scope</th><th>Created</th><th>Expires</th><th>State</th><th /></tr></thead>
        <tbody>
          {tokens.data?.items.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td><td>{t.role}</td><td className="mono">{t.scope ?? ''}</td><td>{ago(t.createdAt)}</td>
              <td>{t.expiresAt ?? 'never'}</td><td>{t.revokedAt ? 'revoked ' + ago(t.revokedAt) : 'active'}</td>
              <td>{!t.revokedAt && <button type="button" onClick={() => setRevoking(t)}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoking && (
        <Confirm title={`Revoke token ${revoking.name}?`} confirmLabel="Revoke" busy={revoke.isPending}
                 onConfirm={() => revoke.mutate(revoking.id)} onCancel={() => setRevoking(null)}>
          <p>Every call with this token is refused from now on (at once on this member, within 5 s on the others).</p>
          <ProblemView error={revoke.error} />
        </Confirm>
      )}
    </>
  );
}

function Enrollment() {
  const [expires, setExpires] = useState('3600');
  const [uses, setUses] = useState('1');
  const [labels, setLabels] = useState('');
  const create = useMutation({
    mutationFn: () => {
      const parsed: Record<string, string> = {};
      labels.split(',').map((l) => l.trim()).filter(Boolean).forEach((l) => {
        const [k, ...v] = l.split('=');
        parsed[k.trim()] = v.join('=').trim();
      });
      return send<Schemas['SecretCreated'], Schemas['EnrollmentTokenRequest']>('POST', '/api/v1/enrollment-tokens', {
        expiresInSeconds: Number(expires), maxUses: Number(uses), labels: parsed,
      });
    },
  });
  return (
    <>
      <h2>Enrollment tokens</h2>
      <form className="inline-form" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        <label>Expires in (s) <input type="number" min={1} value={expires} onChange={(e) => setExpires(e.target.value)} /></label>
        <label>Max uses <input type="number" min={1} value={uses} onChange={(e) => setUses(e.target.value)} /></label>
        <label>Labels <input className="mono" value={labels} onChange={(e) => setLabels(e.target.value)} placeholder="team=payments,dc=ldn1" /></label>
        <button type="submit" className="primary" disabled={create.isPending}>Create enrollment token</button>
      </form>
      <ProblemView error={create.error} />
      {create.data && <Secret label="Enrollment token" secret={create.data.token} />}
    </>
  );
}

function Audit() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [since, setSince] = useState('');
  const [filters, setFilters] = useState({ actor: '', action: '', since: '' });
  const audit = useInfiniteQuery({
    queryKey: ['audit', filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => get<AuditPage>('/api/v1/audit' + query({
      ...filters, since: filters.since ? new Date(filters.since).toISOString() : '', limit: 100, cursor: pageParam,
    }), signal),
    getNextPageParam: (last) => last.next,
  });
  const rows = audit.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <h2>Audit log</h2>
      <form className="inline-form" onSubmit={(e) => { e.preventDefault(); setFilters({ actor, action, since }); }}>
        <label>Actor (token id) <input value={actor} onChange={(e) => setActor(e.target.value)} /></label>
        <label>Action <input value={action} onChange={(e) => setAction(e.target.value)} placeholder="POST /api/v1/tasks" /></label>
        <label>Since <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} /></label>
        <button type="submit">Filter</button>
      </form>
      <ProblemView error={audit.error} />
      <table className="grid">
        <thead><tr><th>When</th><th>Who</th><th>Action</th><th>Target</th><th>Outcome</th><th>Detail</th></tr></thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id}>
              <td>{ago(e.at)}</td><td>{e.actorName ?? e.actor ?? 'anonymous'}</td><td className="mono">{e.action}</td>
              <td className="mono small">{e.target ?? ''}</td><td>{e.outcome}</td><td className="small">{e.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {audit.hasNextPage && <button type="button" onClick={() => audit.fetchNextPage()}>Older events</button>}
    </>
  );
}
