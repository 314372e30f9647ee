import { useRef, useState, type FormEvent } from 'react';
import { ConsoleDeleteDocumentDocument, ConsoleKnowledgeDocumentsDocument, IngestDocumentDocument, KnowledgeSearchDocument, type KnowledgeSearchQuery } from '@switchyard/client/browser';
import { useConsole, useLoad } from '../api/hooks.ts';
import { ErrorNote, Field, FormError, Section } from '../components/field.tsx';
import { formatTime } from '../components/status-badge.tsx';
import { formErrorsOf, NO_ERRORS, type FormErrors } from '../forms/field-errors.ts';
import { documentInput } from './document-upload.ts';

export function KnowledgePanel() {
  const { session } = useConsole();
  const documents = useLoad(async () => (await session.client.request(ConsoleKnowledgeDocumentsDocument)).knowledgeDocuments, []);
  const fileInput = useRef<HTMLInputElement>(null);
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<KnowledgeSearchQuery['knowledgeSearch'] | null>(null);
  const [searchError, setSearchError] = useState<string | undefined>();

  const upload = async (event: FormEvent) => {
    event.preventDefault();
    setErrors(NO_ERRORS);
    setAdded(null);
    const file = fileInput.current?.files?.[0];
    let input: { title: string; mimeType: string; content: string };
    if (file) input = documentInput(file.name, file.type, new Uint8Array(await file.arrayBuffer()), title);
    else if (text.trim()) input = { title: title.trim(), mimeType: 'text/plain', content: text };
    else {
      setErrors({ fields: { content: 'Choose a file (text, Markdown, HTML or PDF) or paste some text.' }, form: null });
      return;
    }
    setBusy(true);
    try {
      const { ingestDocument } = await session.client.request(IngestDocumentDocument, { input });
      setAdded(`"${ingestDocument.title}" added in ${ingestDocument.chunks} chunks.`);
      setTitle('');
      setText('');
      if (fileInput.current) fileInput.current.value = '';
      await documents.reload();
    } catch (e) {
      setErrors(formErrorsOf(e, ['title', 'content', 'mimeType']));
    } finally {
      setBusy(false);
    }
  };
  const search = async (event: FormEvent) => {
    event.preventDefault();
    setSearchError(undefined);
    try {
      setHits((await session.client.request(KnowledgeSearchDocument, { query, first: 5 })).knowledgeSearch);
    } catch (e) {
      setSearchError((e as Error).message);
    }
  };
  const remove = async (id: string, name: string) => {
    if (!window.confirm(`Delete "${name}" from the knowledge base?`)) return;
    await session.client.request(ConsoleDeleteDocumentDocument, { id });
    await documents.reload();
  };
  return (
    <>
      <Section title="Add a document">
        <form onSubmit={upload} noValidate className="stack">
          <Field label="File (text, Markdown, HTML or PDF)" error={errors.fields['content']}>
            <input type="file" ref={fileInput} accept=".txt,.md,.markdown,.html,.htm,.pdf,text/plain,text/markdown,text/html,application/pdf" />
          </Field>
          <Field label="Or paste text">
            <textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          </Field>
          <Field label="Title (default: the file name)" error={errors.fields['title']}>
            <input value={title} onChange={(e) => setTitle(e.target.value)} />
          </Field>
          <FormError message={errors.form} />
          <div className="row">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Adding…' : 'Add document'}
            </button>
            {added ? <span role="status">{added}</span> : null}
          </div>
        </form>
      </Section>
      <Section title="Search">
        <form onSubmit={search} className="row wrap">
          <Field label="Query" error={searchError}>
            <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
          </Field>
          <div className="align-end">
            <button type="submit">Search</button>
          </div>
        </form>
        {hits ? (
          hits.length === 0 ? (
            <p className="muted">Nothing found.</p>
          ) : (
            <ol className="hits" data-testid="knowledge-hits">
              {hits.map((h, i) => (
                <li key={`${h.documentId}-${i}`}>
                  <strong>{h.title}</strong> <span className="muted small">score {h.score.toFixed(3)}</span>
                  <p>{h.text.length > 400 ? `${h.text.slice(0, 399)}…` : h.text}</p>
                </li>
              ))}
            </ol>
          )
        ) : null}
      </Section>
      <Section title="Documents">
        <ErrorNote error={documents.error} />
        {(documents.data ?? []).length === 0 ? <p className="muted">No documents yet.</p> : null}
        <ul data-testid="knowledge-documents">
          {(documents.data ?? []).map((d) => (
            <li key={d.id} className="row">
              <span>
                <strong>{d.title}</strong> · {d.chunks} chunks · {formatTime(d.createdAt)}
              </span>
              <button type="button" className="danger" onClick={() => void remove(d.id, d.title)} aria-label={`Delete ${d.title}`}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}
