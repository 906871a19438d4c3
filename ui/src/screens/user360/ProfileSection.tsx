import { Avatar, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconKey, IconKeyOff, IconPencil, IconUser } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import type { UserDetail } from '../../backend';
import { AbsoluteDate, RelativeDate } from '../../components/DateText';
import { Section, SectionError, SectionSkeleton } from '../../components/Section';
import { WriteButton } from '../../components/WriteButton';
import { ExpiryText, RoleBadges, TierBadge } from '../../components/userBadges';
import { EditUserModal } from './EditUserModal';
import { initials, useUserDetail } from './useUser';

/** Remote avatars are blocked by the app's CSP; only inline images are shown. */
const inlineImage = (url: string | null) => (url && /^data:image\//.test(url) ? url : null);

export function ProfileSection({ userId }: { userId: string }) {
  const detail = useUserDetail(userId);
  const [editing, setEditing] = useState(false);
  const user = detail.data;

  return (
    <Section
      title="Profile"
      icon={<IconUser size={16} />}
      testId="section-profile"
      actions={
        user && (
          <WriteButton
            size="xs"
            variant="default"
            leftSection={<IconPencil size={14} />}
            hint="Edit roles, subscription and profile"
            onClick={() => setEditing(true)}
            data-testid="profile-edit"
          >
            Edit
          </WriteButton>
        )
      }
    >
      {detail.isPending ? (
        <SectionSkeleton lines={4} testId="profile-loading" />
      ) : detail.isError ? (
        <SectionError error={detail.error} onRetry={() => void detail.refetch()} testId="profile-error" />
      ) : (
        <ProfileBody user={detail.data} />
      )}
      {user && <EditUserModal opened={editing} user={user} onClose={() => setEditing(false)} />}
    </Section>
  );
}

function ProfileBody({ user }: { user: UserDetail }) {
  const name = user.display_name || user.username || user.email;
  return (
    <Stack gap="md" data-testid="profile">
      <Group gap="md" wrap="nowrap">
        <Avatar src={inlineImage(user.avatar_url)} size={56} radius="xl" color="initials" name={name} alt={name}>
          {initials(name)}
        </Avatar>
        <div style={{ minWidth: 0 }}>
          <Title order={3} lh={1.25} data-testid="profile-name">
            {user.display_name || <Text span c="dimmed" inherit>No display name</Text>}
          </Title>
          <Text size="sm" truncate="end" data-testid="profile-email">
            {user.email}
          </Text>
          <Text size="sm" c="dimmed" truncate="end">
            @{user.username}
          </Text>
        </div>
      </Group>

      <SimpleGrid cols={{ base: 2, lg: 3 }} spacing="lg" verticalSpacing="md">
        <Fact label="Roles">
          <RoleBadges roles={user.roles} />
        </Fact>
        <Fact label="Subscription">
          <Group gap={6} wrap="wrap" data-testid="profile-subscription">
            <TierBadge tier={user.tier} />
            <ExpiryText expiresAt={user.expires_at} />
          </Group>
        </Fact>
        <Fact label="Password">
          <PasswordState set={user.password_set} />
        </Fact>
        <Fact label="Created">
          <AbsoluteDate iso={user.created_at} />
        </Fact>
        <Fact label="Updated">
          <AbsoluteDate iso={user.updated_at} />
        </Fact>
        <Fact label="Last login">
          <RelativeDate iso={user.last_login} empty="never" />
        </Fact>
      </SimpleGrid>

      {user.bio && (
        <Fact label="Bio">
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {user.bio}
          </Text>
        </Fact>
      )}
    </Stack>
  );
}

/** Whether a password is set: the only thing the UI ever says about it. */
function PasswordState({ set }: { set: boolean }) {
  const Icon = set ? IconKey : IconKeyOff;
  return (
    <Group gap={6} wrap="nowrap" data-testid="password-state" data-password-set={set}>
      <Icon size={15} stroke={1.6} color={set ? 'var(--mantine-color-teal-6)' : 'var(--mantine-color-dimmed)'} />
      <Text size="sm" c={set ? undefined : 'dimmed'}>
        {set ? 'Password set' : 'No password'}
      </Text>
    </Group>
  );
}

export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} lts={0.4} mb={4}>
        {label}
      </Text>
      {children}
    </div>
  );
}
