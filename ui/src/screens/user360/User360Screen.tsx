import { ActionIcon, Alert, Avatar, Button, CopyButton, Grid, Group, Menu, Skeleton, Stack, Text, Title, Tooltip } from '@mantine/core';
import { IconArrowLeft, IconCheck, IconCopy, IconDots, IconFileExport, IconLock, IconTrash } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { Drill, ExportProgress } from '../../backend';
import { WriteMenuItem } from '../../components/WriteButton';
import { showFailure, useReadOnly } from '../../queries';
import { EraseModal } from './EraseModal';
import { ExportModal } from './ExportModal';
import { NotificationPrefsSection } from './NotificationPrefsSection';
import { NotificationsSection } from './NotificationsSection';
import { PluginDataSections, UserPluginStatusCard } from './PluginDataSection';
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
  /** A bar of the plugin status chart: that collection's documents of this user. */
  onDrill?: (drill: Drill) => void;
}

/** Everything about one user; every section loads (and fails) on its own. */
export function User360Screen({ userId, backLabel, onBack, onErased, onDrill = () => {} }: Props) {
  const readOnly = useReadOnly();
  return (
    <Stack gap="md" data-testid="user360" data-user-id={userId}>
      <Header userId={userId} backLabel={backLabel} onBack={onBack} onErased={onErased} />
      {readOnly && (
        <Alert
          color="gray"
          variant="light"
          py={8}
          icon={<IconLock size={16} />}
          data-testid="user360-read-only"
        >
          <Text size="sm">Read-only connection: you can look, not change. Turn read-only off on the Overview to edit or erase.</Text>
        </Alert>
      )}
      <Grid gutter="md" align="stretch">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <ProfileSection userId={userId} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <NotificationPrefsSection userId={userId} readOnly={readOnly} />
        </Grid.Col>
      </Grid>
      <PluginSettingsSection userId={userId} readOnly={readOnly} />
      <NotificationsSection userId={userId} />
      <UserPluginStatusCard userId={userId} onDrill={onDrill} />
      <PluginDataSections userId={userId} />
    </Stack>
  );
}

function Header({ userId, backLabel, onBack, onErased }: Props) {
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
      <ActionsMenu userId={userId} username={user?.username ?? userId} onErased={onErased} />
    </Group>
  );
}

function ActionsMenu({ userId, username, onErased }: { userId: string; username: string; onErased: () => void }) {
  const collections = usePluginCollections();
  const [exportPath, setExportPath] = useState<string | null>(null);
  const [progress, setProgress] = useState<ExportProgress[]>([]);
  const [erasing, setErasing] = useState(false);

  const exportRun = useMutation({
    mutationFn: (path: string) => backend.exportUser(userId, path, (p) => setProgress((all) => [...all, p])),
    meta: { showsErrors: true }, // in the export modal
  });

  const startExport = async () => {
    let path: string | null;
    try {
      path = await backend.chooseExportPath(`${username}-export.json`);
    } catch (e) {
      showFailure(e);
      return;
    }
    if (!path) return; // cancelled
    setProgress([]);
    setExportPath(path);
    exportRun.mutate(path);
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
          {/* Export only reads the database: open on a read-only connection too. */}
          <Menu.Item leftSection={<IconFileExport size={16} />} onClick={() => void startExport()} data-testid="action-export">
            Export data…
          </Menu.Item>
          <Menu.Divider />
          <WriteMenuItem leftSection={<IconTrash size={16} />} color="red" onClick={() => setErasing(true)} data-testid="action-erase">
            Erase user…
          </WriteMenuItem>
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
