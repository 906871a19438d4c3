import { Button, Center, Group, Loader, Paper, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconDatabasePlus, IconPlus } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { Overview, Profile } from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { isBackendError } from '../../errors';
import { queryKeys, useEnvironmentOffer, useProfiles } from '../../queries';
import { EnvironmentOfferCard, environmentProfileName } from './EnvironmentOfferCard';
import { useHostKeyConfirm } from './HostKeyConfirm';
import { PasswordPromptModal } from './PasswordPromptModal';
import { ProfileCard } from './ProfileCard';
import { ProfileFormModal } from './ProfileFormModal';

interface Props {
  /** The profile the backend is connected to, if any. */
  activeProfileId: string | null;
  onConnected: (overview: Overview) => void;
}

/** The profile being edited (undefined: a new one); kept while the modal fades out. */
interface FormState {
  opened: boolean;
  profile?: Profile;
  key: number;
}

export function ConnectionsScreen({ activeProfileId, onConnected }: Props) {
  const queryClient = useQueryClient();
  const profiles = useProfiles();
  const offer = useEnvironmentOffer();
  const [form, setForm] = useState<FormState>({ opened: false, key: 0 });
  const [passwordFor, setPasswordFor] = useState<Profile | null>(null);
  const hostKey = useHostKeyConfirm();

  const refreshProfiles = () => queryClient.invalidateQueries({ queryKey: queryKeys.profiles });
  // The failure itself is toasted by the client's MutationCache.
  const onFailure = (e: unknown) => {
    if (isBackendError(e, 'profile_not_found')) void refreshProfiles();
  };

  const connect = useMutation({
    mutationFn: (profile: Profile) => backend.connect(profile.id, null),
    onSuccess: (overview) => onConnected(overview),
    onError: (e, profile) => {
      if (isBackendError(e, 'password_required')) setPasswordFor(profile);
      else if (!hostKey.handle(e, () => connect.mutate(profile))) onFailure(e);
    },
    meta: { showsErrors: ['password_required', 'ssh_host_key_unknown'] },
  });

  const duplicate = useMutation({
    mutationFn: (profile: Profile) => backend.duplicateProfile(profile.id),
    onSuccess: async (copy) => {
      await refreshProfiles();
      notifications.show({ color: 'teal', title: 'Connection duplicated', message: copy.name });
    },
    onError: onFailure,
  });

  const remove = useMutation({
    mutationFn: (profile: Profile) => backend.deleteProfile(profile.id),
    onSuccess: async (_, profile) => {
      await refreshProfiles();
      notifications.show({ color: 'gray', title: 'Connection deleted', message: profile.name });
    },
    onError: onFailure,
  });

  const confirmDelete = (profile: Profile) =>
    modals.openConfirmModal({
      title: <Text fw={600}>Delete “{profile.name}”?</Text>,
      children: (
        <Text size="sm">
          The profile and its password in the OS keychain are removed from this computer. The database itself is not
          touched.
        </Text>
      ),
      labels: { confirm: 'Delete', cancel: 'Cancel' },
      confirmProps: { color: 'red', 'data-testid': 'confirm-delete' } as Record<string, unknown>,
      onConfirm: () => remove.mutate(profile),
    });

  const openForm = (profile?: Profile) => setForm((f) => ({ opened: true, profile, key: f.key + 1 }));
  const openCreate = () => openForm();
  const list = profiles.data ?? [];
  const showOffer =
    offer.data != null && !list.some((p) => p.name === environmentProfileName(offer.data!) || p.uri === offer.data!.uri);

  return (
    <Stack gap="lg" data-testid="connections">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>Connections</Title>
          <Text c="dimmed" size="sm" mt={4}>
            Saved MongoDB profiles. Passwords live in the OS keychain, never in the profile file.
          </Text>
        </div>
        <Button leftSection={<IconPlus size={16} />} onClick={openCreate} data-testid="new-profile">
          New connection
        </Button>
      </Group>

      {showOffer && <EnvironmentOfferCard offer={offer.data!} />}

      {profiles.isPending ? (
        <Center py="xl">
          <Loader size="sm" />
        </Center>
      ) : profiles.isError ? (
        <ErrorAlert error={profiles.error} onRetry={() => void profiles.refetch()} testId="profiles-error" />
      ) : list.length === 0 ? (
        <Paper withBorder p="xl" radius="md" data-testid="profiles-empty">
          <Stack align="center" gap="sm" py="lg">
            <ThemeIcon size={48} radius="xl" variant="light" color="gray">
              <IconDatabasePlus size={26} />
            </ThemeIcon>
            <Text fw={600} size="lg">
              No saved connections yet
            </Text>
            <Text c="dimmed" size="sm" ta="center" maw={440}>
              Add a profile for a MozaiksCore database: a local development server or a production cluster, opened
              read-only by default.
            </Text>
            <Button variant="light" leftSection={<IconPlus size={16} />} onClick={openCreate} mt="xs">
              Add a connection
            </Button>
          </Stack>
        </Paper>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" data-testid="profile-list">
          {list.map((profile) => (
            <ProfileCard
              key={profile.id}
              profile={profile}
              active={profile.id === activeProfileId}
              connecting={connect.isPending && connect.variables?.id === profile.id}
              busy={connect.isPending}
              onConnect={() => connect.mutate(profile)}
              onEdit={() => openForm(profile)}
              onDuplicate={() => duplicate.mutate(profile)}
              onDelete={() => confirmDelete(profile)}
            />
          ))}
        </SimpleGrid>
      )}

      <ProfileFormModal
        formKey={form.key}
        opened={form.opened}
        profile={form.profile}
        onClose={() => setForm((f) => ({ ...f, opened: false }))}
      />
      {hostKey.modal}
      <PasswordPromptModal profile={passwordFor} onClose={() => setPasswordFor(null)} onConnected={onConnected} />
    </Stack>
  );
}
