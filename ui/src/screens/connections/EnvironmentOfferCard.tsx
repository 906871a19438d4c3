import { Alert, Button, Card, Group, Stack, Text, ThemeIcon } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconKeyOff, IconTerminal2 } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import type { EnvironmentOffer } from '../../backend';
import { EnvironmentBadge } from '../../components/badges';
import { ErrorAlert } from '../../components/ErrorAlert';
import { isBackendError } from '../../errors';
import { queryKeys } from '../../queries';

/** The name `adopt_environment_profile` gives the profile it creates. */
export function environmentProfileName(offer: EnvironmentOffer): string {
  return offer.name;
}

/** Offers to save the connection the platform's DATABASE_URI/ENV describe. */
export function EnvironmentOfferCard({ offer }: { offer: EnvironmentOffer }) {
  const queryClient = useQueryClient();
  const [keychainCause, setKeychainCause] = useState<string | null>(null);
  const adopt = useMutation({
    mutationFn: (remember: boolean) => backend.adoptEnvironmentProfile(remember),
    onMutate: () => setKeychainCause(null),
    onSuccess: async (profile) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.profiles });
      notifications.show({ color: 'teal', title: 'Connection saved', message: profile.name });
    },
    onError: (e) => {
      if (isBackendError(e, 'secret_store_unavailable')) setKeychainCause(e.error.data.cause);
    },
    meta: { showsErrors: true },
  });

  return (
    <Card withBorder padding="lg" data-testid="environment-offer">
      <Group align="flex-start" wrap="nowrap" gap="md">
        <ThemeIcon size={40} radius="md" variant="light">
          <IconTerminal2 size={22} />
        </ThemeIcon>
        <Stack gap={6} style={{ flex: 1, minWidth: 0 }}>
          <Text fw={600}>
            Found DATABASE_URI ({offer.uri}, {offer.environment})
          </Text>
          <Group gap="xs">
            <EnvironmentBadge environment={offer.environment} />
            <Text size="sm" c="dimmed">
              database{' '}
              <Text span ff="monospace" c="var(--mantine-color-text)">
                {offer.database}
              </Text>
            </Text>
          </Group>
          <Text size="sm" c="dimmed">
            The environment this app was started from points at a MozaiksCore database.
            {offer.has_credentials && ' Its password goes straight to the OS keychain and is never shown here.'}
          </Text>
          {keychainCause !== null && (
            <Alert color="orange" variant="light" icon={<IconKeyOff size={18} />} title="OS keychain unavailable" mt="xs">
              <Text size="sm">The password could not be saved because the OS keychain is unavailable ({keychainCause}).</Text>
              <Button
                mt="sm"
                size="xs"
                variant="white"
                color="orange"
                loading={adopt.isPending}
                onClick={() => adopt.mutate(false)}
                data-testid="offer-ask-each-time"
              >
                Ask for the password at each connect instead
              </Button>
            </Alert>
          )}
          {adopt.isError && !isBackendError(adopt.error, 'secret_store_unavailable') && <ErrorAlert error={adopt.error} />}
          <Group mt={4}>
            <Button loading={adopt.isPending && keychainCause === null} onClick={() => adopt.mutate(true)} data-testid="offer-adopt">
              Add this connection
            </Button>
          </Group>
        </Stack>
      </Group>
    </Card>
  );
}
