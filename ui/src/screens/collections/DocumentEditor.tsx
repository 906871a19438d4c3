import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import * as backend from '../../backend';
import type { Saved } from '../../backend';
import { DiffView } from '../../components/DiffView';
import { ErrorAlert } from '../../components/ErrorAlert';
import { JsonEditor } from '../../components/JsonEditor';
import { SectionSkeleton } from '../../components/Section';
import { WriteButton } from '../../components/WriteButton';
import { isBackendError } from '../../errors';
import type { Browsing } from './CollectionsScreen';

/**
 * Canonical Extended JSON, indented for editing: every value keeps its type
 * wrapper, and every key its place. Indented as text, never through a JS
 * object, which would move integer-like keys ("2024") first.
 */
export function pretty(text: string): string {
  let out = '';
  let depth = 0;
  let inString = false;
  const newline = () => `\n${'  '.repeat(depth)}`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      let j = i + 1;
      while (' \n\r\t'.includes(text[j] ?? '')) j++;
      if (text[j] === close) {
        out += c + close;
        i = j;
      } else {
        depth++;
        out += c + newline();
      }
    } else if (c === '}' || c === ']') {
      depth--;
      out += newline() + c;
    } else if (c === ',') {
      out += `,${newline()}`;
    } else if (c === ':') {
      out += ': ';
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Opens one document by its `_id` (canonical Extended JSON): the whole
 * document, whatever the grid's projection showed, is what a save is
 * checked against.
 */
export function OpenDocument({ browsing, id, onClose }: { browsing: Browsing; id: string; onClose: () => void }) {
  const { database, collection } = browsing;
  const doc = useQuery({
    queryKey: ['db', 'browse', database, collection, 'document', id],
    queryFn: () => backend.openDocument(database, collection, id),
    staleTime: 0,
    gcTime: 0,
  });
  if (doc.isSuccess) return <DocumentEditor browsing={browsing} original={doc.data} onClose={onClose} />;
  return (
    <Modal opened onClose={onClose} size="xl" title={<Text fw={600} ff="monospace" size="sm">{`${collection} document`}</Text>}>
      {doc.isError ? <ErrorAlert error={doc.error} testId="document-open-error" /> : <SectionSkeleton lines={6} testId="document-loading" />}
    </Modal>
  );
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

type Step = 'edit' | 'review' | 'delete';

/**
 * One document in canonical Extended JSON: edited, reviewed as a diff,
 * saved as only the fields that changed. `original` is the backend's text
 * of the document as the grid showed it, and what a save is checked
 * against; `null` opens an empty document to insert.
 */
export function DocumentEditor({
  browsing,
  original,
  onClose,
}: {
  browsing: Browsing;
  original: string | null;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const inserting = original === null;
  /** What a save is checked against: the document as opened, or as found at a conflict. */
  const [base, setBase] = useState(original ?? '{}');
  const [text, setText] = useState(() => (original === null ? '{\n  \n}' : pretty(original)));
  const [step, setStep] = useState<Step>('edit');
  /** The document as it is now in the database, after a refused save. */
  const [conflict, setConflict] = useState<{ current: string | null } | null>(null);
  const { database, collection } = browsing;

  const done = (message: string) => {
    void queryClient.invalidateQueries({ queryKey: ['db', 'browse'] });
    notifications.show({ color: 'teal', title: message, message: `${browsing.databaseName}.${collection}` });
    onClose();
  };
  const onFailure = (e: unknown) => {
    if (isBackendError(e, 'conflict')) {
      setConflict({ current: e.error.data.current });
      setStep('edit');
    }
  };
  const save = useMutation({
    mutationFn: (): Promise<Saved> =>
      inserting ? backend.insertDocument(database, collection, text) : backend.saveDocument(database, collection, base, text),
    meta: { showsErrors: true },
    onSuccess: (saved) => done(saved.outcome === 'unchanged' ? 'Nothing changed: nothing was written' : inserting ? 'Inserted' : 'Saved'),
    onError: onFailure,
  });
  const remove = useMutation({
    mutationFn: () => backend.deleteDocument(database, collection, base),
    meta: { showsErrors: true },
    onSuccess: () => done('Deleted'),
    onError: onFailure,
  });
  const failure = save.error ?? remove.error;
  const valid = useMemo(() => parses(text), [text]);
  const notEditable = browsing.notEditable;

  return (
    <Modal
      opened
      onClose={onClose}
      size="xl"
      title={
        <Text fw={600} ff="monospace" size="sm">
          {inserting ? `Insert into ${collection}` : `${collection} document`}
        </Text>
      }
      data-testid="document-editor"
    >
      <Stack gap="sm">
        {notEditable && (
          <Text size="xs" c="dimmed" data-testid="document-not-editable">
            Read only here: {notEditable}.
          </Text>
        )}
        {conflict && (
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={16} />} title="Changed meanwhile" data-testid="document-conflict">
            <Stack gap="xs">
              <Text size="sm">
                {conflict.current === null
                  ? 'The document is gone: someone deleted it (or moved it to another owner) since you opened it. Nothing was written.'
                  : 'Someone changed this document since you opened it. Nothing was written. Compare the two, then keep theirs or put your version over it.'}
              </Text>
              {conflict.current !== null && (
                <Stack gap={4} data-testid="document-conflict-diff">
                  <Text size="xs" c="dimmed">
                    Now in the database (−) against yours (+)
                  </Text>
                  <DiffView before={pretty(conflict.current)} after={text} maxHeight={300} />
                </Stack>
              )}
              {conflict.current !== null && (
                <Group gap="xs">
                  <Button
                    size="xs"
                    variant="default"
                    data-testid="document-take-theirs"
                    onClick={() => {
                      setBase(conflict.current!);
                      setText(pretty(conflict.current!));
                      setConflict(null);
                      save.reset();
                    }}
                  >
                    Discard mine, load theirs
                  </Button>
                  <Button
                    size="xs"
                    variant="default"
                    data-testid="document-keep-mine"
                    onClick={() => {
                      // Mine is now an edit of theirs: the review shows exactly what it overwrites.
                      setBase(conflict.current!);
                      setConflict(null);
                      save.reset();
                      setStep('review');
                    }}
                  >
                    Review mine over theirs
                  </Button>
                </Group>
              )}
            </Stack>
          </Alert>
        )}
        {step === 'edit' && !conflict && (
          <JsonEditor value={text} onChange={setText} readOnly={notEditable !== null} label="Document" maxHeight={460} testId="document-json" />
        )}
        {step === 'review' && (
          <Stack gap={4} data-testid="document-review">
            <Text size="xs" c="dimmed">
              Only the fields that differ are written, and only if they still hold what you see on the left.
            </Text>
            <DiffView before={inserting ? '' : pretty(base)} after={text} />
          </Stack>
        )}
        {step === 'delete' && (
          <Alert color="red" variant="light" title="Delete this document?" data-testid="document-delete-confirm">
            It is deleted only if it is still exactly as shown. The audit log keeps what it held.
          </Alert>
        )}
        {failure !== null && !isBackendError(failure, 'conflict') ? <ErrorAlert error={failure} testId="document-error" /> : null}
        {notEditable === null && (
          <Group justify="space-between">
            <Group gap="xs">
              {!inserting && step === 'edit' && (
                <WriteButton size="xs" color="red" variant="subtle" onClick={() => setStep('delete')} data-testid="document-delete">
                  Delete…
                </WriteButton>
              )}
            </Group>
            <Group gap="xs">
              {step !== 'edit' && (
                <Button size="xs" variant="default" onClick={() => setStep('edit')}>
                  Back
                </Button>
              )}
              {step === 'edit' && (
                <Button size="xs" disabled={!valid} onClick={() => setStep('review')} data-testid="document-review-button">
                  Review changes
                </Button>
              )}
              {step === 'review' && (
                <WriteButton size="xs" loading={save.isPending} onClick={() => save.mutate()} data-testid="document-save">
                  {inserting ? 'Insert' : 'Save'}
                </WriteButton>
              )}
              {step === 'delete' && (
                <WriteButton size="xs" color="red" loading={remove.isPending} onClick={() => remove.mutate()} data-testid="document-delete-yes">
                  Delete
                </WriteButton>
              )}
            </Group>
          </Group>
        )}
      </Stack>
    </Modal>
  );
}
