import { ActionIcon, Badge, Button, Group, Modal, Paper, Popover, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconArrowBackUp, IconPlus, IconPuzzle, IconX } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import { DiffView } from '../../components/DiffView';
import { ErrorAlert } from '../../components/ErrorAlert';
import { JsonEditor } from '../../components/JsonEditor';
import { EmptyState, Section, SectionError, SectionSkeleton } from '../../components/Section';
import { WriteButton } from '../../components/WriteButton';
import { isBackendError } from '../../errors';
import { plural, prettyJson } from '../../format';
import { queryKeys } from '../../queries';
import { ConflictModal } from './ConflictModal';
import { useUserSettings } from './useUser';

/** Quick client-side feedback; the backend's `invalid_input` has the last word. */
export function checkPluginJson(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `Not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'Plugin settings must be a JSON object: { … }';
  }
  return null;
}

const PLUGIN_NAME = /^[a-z0-9_]{1,64}$/;
const NEW_PLUGIN_TEXT = '{\n  \n}';

export function PluginSettingsSection({ userId, readOnly }: { userId: string; readOnly: boolean }) {
  const settings = useUserSettings(userId);
  /** Plugins added in this session and not saved yet. */
  const [added, setAdded] = useState<string[]>([]);
  const stored = settings.data?.plugins ?? [];
  const pending = added.filter((p) => !stored.some((s) => s.plugin === p));

  return (
    <Section
      title="Plugin settings"
      icon={<IconPuzzle size={16} />}
      meta={settings.data ? plural(stored.length, 'plugin') : undefined}
      testId="section-plugin-settings"
      actions={
        settings.data && (
          <AddPluginButton
            existing={[...stored.map((s) => s.plugin), ...pending]}
            onAdd={(name) => setAdded((a) => [...a, name])}
          />
        )
      }
    >
      {settings.isPending ? (
        <SectionSkeleton lines={5} testId="plugin-settings-loading" />
      ) : settings.isError ? (
        <SectionError error={settings.error} onRetry={() => void settings.refetch()} testId="plugin-settings-error" />
      ) : stored.length === 0 && pending.length === 0 ? (
        <EmptyState testId="plugin-settings-empty">
          No plugin stores settings for this user{settings.data.exists ? '' : ' (there is no settings document yet)'}.
        </EmptyState>
      ) : (
        <Stack gap="md">
          {stored.map((p) => (
            <PluginEditor
              // A new stored value (a save, a reload) starts a fresh editor.
              key={`${p.plugin}:${p.json}`}
              userId={userId}
              plugin={p.plugin}
              loaded={p.json}
              readOnly={readOnly}
              onReload={() => settings.refetch()}
              reloading={settings.isFetching}
            />
          ))}
          {pending.map((plugin) => (
            <PluginEditor
              key={`${plugin}:(new)`}
              userId={userId}
              plugin={plugin}
              loaded={null}
              readOnly={readOnly}
              onReload={() => settings.refetch()}
              reloading={settings.isFetching}
              onDiscard={() => setAdded((a) => a.filter((x) => x !== plugin))}
            />
          ))}
        </Stack>
      )}
    </Section>
  );
}

function AddPluginButton({ existing, onAdd }: { existing: string[]; onAdd: (name: string) => void }) {
  const [opened, setOpened] = useState(false);
  const [name, setName] = useState('');
  const trimmed = name.trim();
  const error = !trimmed
    ? null
    : !PLUGIN_NAME.test(trimmed)
      ? 'Use 1 to 64 of a–z, 0–9 and _'
      : existing.includes(trimmed)
        ? 'This plugin already has settings'
        : null;
  const add = () => {
    if (!trimmed || error) return;
    onAdd(trimmed);
    setName('');
    setOpened(false);
  };
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" shadow="md" width={300} trapFocus>
      <Popover.Target>
        <WriteButton
          size="xs"
          variant="default"
          leftSection={<IconPlus size={14} />}
          onClick={() => setOpened((o) => !o)}
          data-testid="plugin-add"
        >
          Add plugin settings
        </WriteButton>
      </Popover.Target>
      <Popover.Dropdown>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            add();
          }}
        >
          <Stack gap="xs">
            <TextInput
              label="Plugin name"
              description="As MozaiksCore names it, e.g. task_manager"
              placeholder="plugin_name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={error}
              data-autofocus
              ff="monospace"
              data-testid="plugin-add-name"
            />
            <Group justify="flex-end" gap="xs">
              <Button size="xs" variant="subtle" color="gray" onClick={() => setOpened(false)}>
                Cancel
              </Button>
              <Button size="xs" type="submit" disabled={!trimmed || error !== null} data-testid="plugin-add-confirm">
                Add
              </Button>
            </Group>
          </Stack>
        </form>
      </Popover.Dropdown>
    </Popover>
  );
}

function PluginEditor({
  userId,
  plugin,
  loaded,
  readOnly,
  onReload,
  reloading,
  onDiscard,
}: {
  userId: string;
  plugin: string;
  /** The stored JSON as loaded (sent back as `expected`); null for a new plugin. */
  loaded: string | null;
  readOnly: boolean;
  onReload: () => Promise<unknown>;
  reloading: boolean;
  onDiscard?: () => void;
}) {
  const queryClient = useQueryClient();
  const original = loaded === null ? NEW_PLUGIN_TEXT : prettyJson(loaded);
  const [text, setText] = useState(original);
  const [reviewing, setReviewing] = useState(false);
  const [conflict, setConflict] = useState<{ current: string | null } | null>(null);
  const problem = checkPluginJson(text);
  const dirty = text !== original;

  const save = useMutation({
    mutationFn: () => backend.savePluginSettings(userId, plugin, text, loaded),
    onSuccess: (next) => {
      setReviewing(false);
      queryClient.setQueryData(queryKeys.userSettings(userId), next);
      notifications.show({ color: 'teal', title: 'Plugin settings saved', message: plugin });
      onDiscard?.();
    },
    onError: (e) => {
      if (isBackendError(e, 'conflict')) {
        setReviewing(false);
        setConflict({ current: e.error.data.current });
      }
    },
    meta: { showsErrors: true }, // the conflict dialog, or the alert in the review
  });

  return (
    <Paper withBorder radius="md" p="sm" data-testid="plugin-settings" data-plugin={plugin}>
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <Text ff="monospace" fw={600} size="sm">
            {plugin}
          </Text>
          {loaded === null && (
            <Badge size="xs" color="teal" variant="light">
              new
            </Badge>
          )}
          {loaded !== null && dirty && (
            <Badge size="xs" color="yellow" variant="light">
              modified
            </Badge>
          )}
        </Group>
        <Group gap="xs" wrap="nowrap">
          {dirty && (
            <Tooltip label="Revert to the loaded value">
              <ActionIcon variant="subtle" color="gray" onClick={() => setText(original)} aria-label="Revert" data-testid="plugin-revert">
                <IconArrowBackUp size={16} />
              </ActionIcon>
            </Tooltip>
          )}
          {onDiscard && (
            <Tooltip label="Discard this new entry">
              <ActionIcon variant="subtle" color="gray" onClick={onDiscard} aria-label="Discard">
                <IconX size={16} />
              </ActionIcon>
            </Tooltip>
          )}
          <WriteButton
            size="xs"
            blockedBy={problem ? 'Fix the JSON first' : !dirty && loaded !== null ? 'Nothing changed yet' : null}
            onClick={() => {
              save.reset();
              setReviewing(true);
            }}
            data-testid="plugin-review"
          >
            Review & save
          </WriteButton>
        </Group>
      </Group>

      <JsonEditor value={text} onChange={setText} readOnly={readOnly} label={`${plugin} settings (JSON)`} testId="plugin-editor" />

      {problem && dirty && (
        <Group gap={6} mt={6} wrap="nowrap" data-testid="plugin-json-problem">
          <IconAlertCircle size={14} color="var(--mantine-color-red-6)" style={{ flexShrink: 0 }} />
          <Text size="xs" c="red">
            {problem}
          </Text>
        </Group>
      )}

      <Modal
        opened={reviewing}
        onClose={() => !save.isPending && setReviewing(false)}
        size="xl"
        title={
          <Text fw={600}>
            Save settings of <Text span ff="monospace" inherit>{plugin}</Text>?
          </Text>
        }
      >
        <Stack gap="md" data-testid="plugin-review-modal">
          <Text size="sm" c="dimmed">
            {loaded === null
              ? 'This plugin has no settings for this user yet; they are created as shown.'
              : 'Only this plugin’s settings are replaced, and only if nobody changed them since they were loaded.'}
          </Text>
          <DiffView before={loaded === null ? '' : original} after={text} />
          {save.isError && !isBackendError(save.error, 'conflict') && <ErrorAlert error={save.error} testId="plugin-save-error" />}
          <Group justify="flex-end" gap="sm">
            <Button variant="subtle" color="gray" onClick={() => setReviewing(false)} disabled={save.isPending}>
              Back to editing
            </Button>
            <Button onClick={() => save.mutate()} loading={save.isPending} data-testid="plugin-save">
              Save
            </Button>
          </Group>
        </Stack>
      </Modal>

      <ConflictModal
        opened={conflict !== null}
        what={`settings of ${plugin}`}
        current={conflict?.current ?? null}
        reloading={reloading}
        onClose={() => setConflict(null)}
        onReload={async () => {
          await onReload();
          setConflict(null);
        }}
      />
    </Paper>
  );
}
