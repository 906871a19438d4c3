import { ActionIcon, Alert, Avatar, Button, CopyButton, Grid, Group, Menu, Skeleton, Stack, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowLeft, IconCheck, IconCopy, IconDots, IconFileExport, IconLock, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import * as backend from '../../backend';
import type { ExportProgress } from '../../backend';
import { describeFailure } from '../../errors';
import { useReadOnly } from '../../queries';
import { EraseModal } from './EraseModal';
import { ExportModal } from './ExportModal';
import { NotificationPrefsSection } from './NotificationPrefsSection';
import { NotificationsSection } from './NotificationsSection';
import { PluginDataSections } from './PluginDataSection';
import { PluginSettingsSection } from './PluginSettingsSection';
import { ProfileSection } from './ProfileSection';
import { initials, usePluginCollections, useUserDetail } from './useUser';

interface Props {
  userId: string;
  /** Where the back button goes ("Users", "Audit"). */
  backLabel: string;
  onBack: () => void;
  /** The user was erased: leave for the users list. */
  onErased: () => void;
}

/** Everything about one user; every section loads (and fails) on its own. */
export function User360Screen({ userId, backLabel, onBack, onErased }: Props) {
  const readOnly = useReadOnly();
  return (
    <Stack gap="md" data-testid="user360" data-user-id={userId}>
      <Header userId={userId} backLabel={backLabel} onBack={onBack} onErased={onErased} readOnly={readOnly} />
      {readOnly && (
        <Alert
          color="gray"
          variant="light"
          py={8}
          icon={<IconLock size={16} />}
          data-testid="user360-read-only"
        >
          <Text size="sm">Read-only connection: you can look, not change. Turn read-only off on the Overview to edit, export or erase.</Text>
        </Alert>
      )}
      <Grid gutter="md" align="stretch">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <ProfileSection userId={userId} readOnly={readOnly} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <NotificationPrefsSection userId={userId} readOnly={readOnly} />
        </Grid.Col>
      </Grid>
      <PluginSettingsSection userId={userId} readOnly={readOnly} />
      <NotificationsSection userId={userId} />
      <PluginDataSections userId={userId} />
    </Stack>
  );
}

function Header({ userId, backLabel, onBack, onErased, readOnly }: Props & { readOnly: boolean }) {
  const detail = useUserDetail(userId);
  const user = detail.data;
  const name = user ? user.display_name || user.username || user.email : null;
  return (
    <Group justify="space-between" wrap="nowrap" align="center">
      <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
        <Tooltip label={`Back to ${backLabel}`}>
          <ActionIcon variant="subtle" color="gray" size="lg" onClick={onBack} aria-label={`Back to ${backLabel}`} data-testid="user360-back">
            <IconArrowLeft size={18} />
          </ActionIcon>
        </Tooltip>
        {name ? (
          <Avatar size={40} radius="xl" color="initials" name={name}>
            {initials(name)}
          </Avatar>
        ) : (
          <Skeleton circle height={40} animate={detail.isPending} />
        )}
        <div style={{ minWidth: 0 }}>
          {user ? (
            <Title order={2} lh={1.2} data-testid="user360-title" style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
              {user.email}
            </Title>
          ) : detail.isPending ? (
            <Skeleton height={22} width={260} radius="sm" my={4} />
          ) : (
            <Title order={2} lh={1.2} c="dimmed">
              User
            </Title>
          )}
          <Group gap={4} wrap="nowrap">
            <Text size="xs" c="dimmed" ff="monospace" data-testid="user360-id">
              {userId}
            </Text>
            <CopyButton value={userId} timeout={1500}>
              {({ copied, copy }) => (
                <Tooltip label={copied ? 'Copied' : 'Copy user id'}>
                  <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} size="xs" onClick={copy} aria-label="Copy user id">
                    {copied ? <IconCheck size={12} /> : <IconCopy size={12} />}
                  </ActionIcon>
                </Tooltip>
              )}
            </CopyButton>
          </Group>
        </div>
      </Group>
      <ActionsMenu userId={userId} username={user?.username ?? userId} readOnly={readOnly} onErased={onErased} />
    </Group>
  );
}

function ActionsMenu({ userId, username, readOnly, onErased }: { userId: string; username: string; readOnly: boolean; onErased: () => void }) {
  const queryClient = useQueryClient();
  const collections = usePluginCollections();
  const [exportPath, setExportPath] = useState<string | null>(null);
  const [progress, setProgress] = useState<ExportProgress[]>([]);
  const [erasing, setErasing] = useState(false);

  const exportRun = useMutation({
    mutationFn: (path: string) => backend.exportUser(userId, path, (p) => setProgress((all) => [...all, p])),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['audit'] }),
  });

  const startExport = async () => {
    let path: string | null;
    try {
      path = await backend.chooseExportPath(`${username}-export.json`);
    } catch (e) {
      const { title, message } = describeFailure(e);
      notifications.show({ color: 'red', title, message });
      return;
    }
    if (!path) return; // cancelled
    setProgress([]);
    setExportPath(path);
    exportRun.mutate(path);
  };

  const refused = 'Read-only connection: turn read-only off on the Overview first';
  const item = (label: string, icon: ReactNode, testId: string, onClick: () => void, color?: string) => {
    const entry = (
      <Menu.Item
        leftSection={icon}
        color={readOnly ? undefined : color}
        rightSection={readOnly ? <IconLock size={14} /> : undefined}
        data-disabled={readOnly || undefined}
        aria-disabled={readOnly}
        closeMenuOnClick={!readOnly}
        onClick={() => !readOnly && onClick()}
        data-testid={testId}
      >
        {label}
      </Menu.Item>
    );
    return readOnly ? (
      <Tooltip label={refused} position="left" key={testId}>
        <div>{entry}</div>
      </Tooltip>
    ) : (
      entry
    );
  };

  return (
    <>
      <Menu position="bottom-end" shadow="md" width={220}>
        <Menu.Target>
          <Button variant="default" rightSection={<IconDots size={16} />} data-testid="user-actions">
            Actions
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>GDPR</Menu.Label>
          {item('Export data…', <IconFileExport size={16} />, 'action-export', () => void startExport())}
          <Menu.Divider />
          {item('Erase user…', <IconTrash size={16} />, 'action-erase', () => setErasing(true), 'red')}
        </Menu.Dropdown>
      </Menu>
      <ExportModal
        opened={exportPath !== null}
        path={exportPath}
        progress={progress}
        expected={collections.data ? collections.data.length + 2 : null}
        run={exportRun}
        onClose={() => {
          setExportPath(null);
          exportRun.reset();
        }}
      />
      <EraseModal opened={erasing} userId={userId} onClose={() => setErasing(false)} onErased={onErased} />
    </>
  );
}
