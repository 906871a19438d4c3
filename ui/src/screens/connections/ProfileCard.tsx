import { ActionIcon, Badge, Button, Card, ColorSwatch, Group, Menu, Stack, Text, Tooltip } from '@mantine/core';
import {
  IconCopy,
  IconDatabase,
  IconDots,
  IconPencil,
  IconPlayerPlay,
  IconTrash,
  IconUser,
} from '@tabler/icons-react';
import type { Profile } from '../../backend';
import { EnvironmentBadge, PasswordModeLabel, ReadOnlyBadge } from '../../components/badges';
import { profileDatabase } from '../../format';

interface Props {
  profile: Profile;
  active: boolean;
  connecting: boolean;
  /** Another profile is connecting: keep this one's button quiet. */
  busy: boolean;
  onConnect: () => void;
  onEdit: () => void;
  onDuplicate: () => void;
  onDelete: () => void;
}

export function ProfileCard({ profile, active, connecting, busy, onConnect, onEdit, onDuplicate, onDelete }: Props) {
  const production = profile.environment === 'production';
  return (
    <Card
      withBorder
      padding="lg"
      data-testid="profile-card"
      data-name={profile.name}
      data-id={profile.id}
      style={{ borderLeft: `4px solid ${profile.color}` }}
    >
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <ColorSwatch color={profile.color} size={12} withShadow={false} style={{ flexShrink: 0 }} />
            <Text fw={600} size="lg" truncate="end" title={profile.name}>
              {profile.name}
            </Text>
          </Group>
          <Menu position="bottom-end" withinPortal shadow="md" width={180}>
            <Menu.Target>
              <ActionIcon variant="subtle" color="gray" aria-label={`More actions for ${profile.name}`} data-testid="profile-menu">
                <IconDots size={18} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item leftSection={<IconPencil size={16} />} onClick={onEdit}>
                Edit
              </Menu.Item>
              <Menu.Item leftSection={<IconCopy size={16} />} onClick={onDuplicate} data-testid="profile-duplicate">
                Duplicate
              </Menu.Item>
              <Menu.Divider />
              <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={onDelete} data-testid="profile-delete">
                Delete…
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>

        <Group gap={6}>
          <EnvironmentBadge environment={profile.environment} />
          <ReadOnlyBadge readOnly={profile.read_only || production} />
          {active && (
            <Badge size="sm" color="teal" variant="dot">
              Connected
            </Badge>
          )}
        </Group>

        <Tooltip label={profile.uri} openDelay={600}>
          <Text ff="monospace" size="sm" c="dimmed" truncate="end" data-testid="profile-uri-text">
            {profile.uri}
          </Text>
        </Tooltip>

        <Group gap="lg" wrap="wrap">
          <Group gap={4} wrap="nowrap">
            <IconDatabase size={14} stroke={1.6} color="var(--mantine-color-dimmed)" />
            <Text size="sm" ff="monospace" data-testid="profile-database-name">
              {profileDatabase(profile)}
            </Text>
          </Group>
          {profile.username && (
            <Group gap={4} wrap="nowrap">
              <IconUser size={14} stroke={1.6} color="var(--mantine-color-dimmed)" />
              <Text size="sm">{profile.username}</Text>
            </Group>
          )}
          <PasswordModeLabel mode={profile.password} />
        </Group>

        <Group justify="flex-end" gap="sm" mt={4}>
          <Button variant="default" size="sm" leftSection={<IconPencil size={16} />} onClick={onEdit} data-testid="profile-edit">
            Edit
          </Button>
          <Button
            size="sm"
            color={production ? 'red' : undefined}
            leftSection={<IconPlayerPlay size={16} />}
            loading={connecting}
            disabled={busy && !connecting}
            onClick={onConnect}
            data-testid="profile-connect"
          >
            Connect
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
