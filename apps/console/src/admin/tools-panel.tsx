import { useEffect, useState, type FormEvent } from 'react';
import { McpServersDocument, RegisterMcpServerDocument, RemoveMcpServerDocument, ToolsDocument, UpdateToolSettingsDocument } from '@switchyard/client/browser';
import { useConsole, useLoad } from '../api/hooks.ts';
import { ErrorNote, Field, FormError, Section } from '../components/field.tsx';
import { formErrorsOf, NO_ERRORS, type FormErrors } from '../forms/field-errors.ts';

export function ToolsPanel() {
  const { session } = useConsole();
  const tools = useLoad(async () => session.client.request(ToolsDocument), []);
  const servers = useLoad(async () => (await session.client.request(McpServersDocument)).mcpServers, []);
  const [toggleError, setToggleError] = useState<string | null>(null);
  const [config, setConfig] = useState('');
  const [configErrors, setConfigErrors] = useState<FormErrors>(NO_ERRORS);
  const [mcp, setMcp] = useState('{\n  "name": "docs",\n  "transport": "streamable-http",\n  "url": "https://mcp.example.com/mcp"\n}');
  const [mcpErrors, setMcpErrors] = useState<FormErrors>(NO_ERRORS);
  useEffect(() => {
    if (tools.data) setConfig(JSON.stringify(tools.data.toolConfig, null, 2));
  }, [tools.data]);

  const toggle = async (name: string, enable: boolean) => {
    setToggleError(null);
    try {
      await session.client.request(UpdateToolSettingsDocument, { input: enable ? { enable: [name] } : { disable: [name] } });
      await tools.reload();
    } catch (e) {
      setToggleError((e as Error).message);
    }
  };
  const saveConfig = async (event: FormEvent) => {
    event.preventDefault();
    setConfigErrors(NO_ERRORS);
    try {
      await session.client.request(UpdateToolSettingsDocument, { input: { config: JSON.parse(config) } });
      await tools.reload();
    } catch (e) {
      setConfigErrors(e instanceof SyntaxError ? { fields: { config: `Not valid JSON: ${e.message}` }, form: null } : formErrorsOf(e, ['config']));
    }
  };
  const register = async (event: FormEvent) => {
    event.preventDefault();
    setMcpErrors(NO_ERRORS);
    try {
      await session.client.request(RegisterMcpServerDocument, { config: JSON.parse(mcp) });
      await Promise.all([servers.reload(), tools.reload()]);
    } catch (e) {
      setMcpErrors(e instanceof SyntaxError ? { fields: { config: `Not valid JSON: ${e.message}` }, form: null } : formErrorsOf(e, ['config']));
    }
  };
  const remove = async (name: string) => {
    if (!window.confirm(`Remove the MCP server "${name}"?`)) return;
    await session.client.request(RemoveMcpServerDocument, { name });
    await Promise.all([servers.reload(), tools.reload()]);
  };

  return (
    <>
      <Section title="Tools">
        <ErrorNote error={tools.error} />
        <FormError message={toggleError} />
        <table className="table" data-testid="tools">
          <thead>
            <tr>
              <th scope="col">Tool</th>
              <th scope="col">Source</th>
              <th scope="col">Description</th>
              <th scope="col">Enabled</th>
            </tr>
          </thead>
          <tbody>
            {(tools.data?.tools ?? []).map((t) => (
              <tr key={t.name}>
                <td>
                  <code>{t.name}</code>
                </td>
                <td>{t.source}</td>
                <td>{t.description}</td>
                <td>
                  <label className="check">
                    <input type="checkbox" checked={t.enabled} onChange={(e) => void toggle(t.name, e.target.checked)} />
                    <span className="sr-only">Enable {t.name}</span>
                  </label>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form onSubmit={saveConfig} noValidate className="stack">
          <Field label="Tool configuration (JSON, no secrets)" error={configErrors.fields['config']} hint='e.g. {"allowedHosts": ["api.example.com"]}'>
            <textarea rows={4} className="mono" value={config} onChange={(e) => setConfig(e.target.value)} />
          </Field>
          <FormError message={configErrors.form} />
          <div>
            <button type="submit">Save configuration</button>
          </div>
        </form>
      </Section>
      <Section title="MCP servers">
        <ErrorNote error={servers.error} />
        {(servers.data ?? []).length === 0 ? <p className="muted">No MCP server registered.</p> : null}
        <ul>
          {(servers.data ?? []).map((s) => (
            <li key={s.name} className="row">
              <span>
                <strong>{s.name}</strong> ({s.transport} {s.url ?? s.command}): {s.error ? <span className="form-error">{s.error}</span> : `${s.tools ?? 0} tools`}
              </span>
              <button type="button" className="danger" onClick={() => void remove(s.name)} aria-label={`Remove ${s.name}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        <form onSubmit={register} noValidate className="stack">
          <Field label="Register a server (JSON)" error={mcpErrors.fields['config']}>
            <textarea rows={5} className="mono" value={mcp} onChange={(e) => setMcp(e.target.value)} />
          </Field>
          <FormError message={mcpErrors.form} />
          <div>
            <button type="submit">Register server</button>
          </div>
        </form>
      </Section>
    </>
  );
}
