import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { send, type Schemas } from '../api/client';
import { SelectorBox } from '../components/SelectorBox';
import { ProblemView } from '../components/ProblemView';

type Kind = Schemas['TaskKind'];
const EXAMPLES: Record<string, string> = {
  config: '{"resources":[{"type":"file","path":"/etc/motd","content":"managed by muster\\n","mode":"0644"}]}',
  container: '{"action":"run","image":"busybox","name":"hello","command":["echo","hello"]}',
};

/** Builds the task request from the form; a JSON spec that does not parse is an error before any call. */
export function taskRequest(selector: string, kind: Kind, command: string, json: string, timeout: number, dryRun: boolean):
  { request: Schemas['TaskRequest'] } | { error: string } {
  let spec: Record<string, unknown>;
  if (kind === 'exec') {
    if (!command.trim()) {
      return { error: 'the command line is empty' };
    }
    spec = { shell: command };
  } else {
    try {
      const parsed = JSON.parse(json);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return { error: 'the spec must be a JSON object' };
      }
      spec = parsed;
    } catch (e) {
      return { error: 'the spec is not valid JSON: ' + (e as Error).message };
    }
  }
  // The document types a spec as any object; its fields depend on the kind.
  return { request: { target: { selector }, kind, spec, timeoutSeconds: timeout, dryRun } };
}

/** Run: a target with its live count, a kind and spec, then the task page follows it. */
export default function RunPage() {
  const navigate = useNavigate();
  const [selector, setSelector] = useState('');
  const [kind, setKind] = useState<Kind>('exec');
  const [command, setCommand] = useState('uptime');
  const [json, setJson] = useState(EXAMPLES.config);
  const [timeout, setTimeoutSeconds] = useState(60);
  const [dryRun, setDryRun] = useState(false);
  const [local, setLocal] = useState<string | null>(null);
  const submit = useMutation({
    mutationFn: (request: Schemas['TaskRequest']) => send<Schemas['TaskCreated'], Schemas['TaskRequest']>('POST', '/api/v1/tasks', request),
    onSuccess: (created) => navigate(`/tasks/${created.id}`),
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const built = taskRequest(selector, kind, command, json, timeout, dryRun);
    if ('error' in built) {
      setLocal(built.error);
      return;
    }
    setLocal(null);
    submit.mutate(built.request);
  };
  return (
    <section>
      <h1>Run</h1>
      <form className="card form" onSubmit={onSubmit}>
        <SelectorBox value={selector} onChange={setSelector} label="Target selector (empty: every host)" />
        <label htmlFor="kind">Kind</label>
        <select id="kind" value={kind} onChange={(e) => {
          const k = e.target.value as Kind;
          setKind(k);
          if (EXAMPLES[k]) setJson(EXAMPLES[k]);
        }}>
          <option value="exec">exec: a command line</option>
          <option value="config">config: declarative resources (JSON)</option>
          <option value="container">container: an engine action (JSON)</option>
        </select>
        {kind === 'exec' ? (
          <>
            <label htmlFor="command">Command line (run with /bin/sh -c)</label>
            <input id="command" className="mono" value={command} onChange={(e) => setCommand(e.target.value)} spellCheck={false} />
          </>
        ) : (
          <>
            <label htmlFor="spec">Spec (JSON)</label>
            <textarea id="spec" className="mono" rows={8} value={json} onChange={(e) => setJson(e.target.value)} spellCheck={false} />
          </>
        )}
        <label htmlFor="timeout">Timeout per host (seconds)</label>
        <input id="timeout" type="number" min={1} max={604800} value={timeout} onChange={(e) => setTimeoutSeconds(Number(e.target.value))} />
        <label className="check"><input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> Dry run (change nothing)</label>
        {local && <p role="alert" className="problem">{local}</p>}
        <ProblemView error={submit.error} />
        <div className="actions"><button type="submit" className="primary" disabled={submit.isPending}>Submit</button></div>
      </form>
    </section>
  );
}
