import { Alert, Button, Code, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import * as backend from '../../backend';
import { ErrorAlert } from '../../components/ErrorAlert';
import { WriteButton } from '../../components/WriteButton';
import { queryKeys } from '../../queries';

export interface DropTarget {
  collection: string;
  name: string;
}

/** Drops an index once its name is typed back (the backend checks it too). */
export function DropIndexModal({ target, onClose }: { target: DropTarget | null; onClose: () => void }) {
  return (
    <Modal opened={target !== null} onClose={onClose} title={<Text fw={600}>Drop an index</Text>}>
      <div data-testid="drop-modal">
        {target && <DropBody key={`${target.collection} ${target.name}`} target={target} onClose={onClose} />}
      </div>
    </Modal>
  );
}

function DropBody({ target, onClose }: { target: DropTarget; onClose: () => void }) {
  const client = useQueryClient();
  const [typed, setTyped] = useState('');
  const drop = useMutation({
    mutationFn: (confirmation: string) => backend.dropIndex(target.collection, target.name, confirmation),
    onSuccess: () => {
      notifications.show({ color: 'teal', title: 'Index dropped', message: `${target.collection}: ${target.name}` });
      void client.invalidateQueries({ queryKey: queryKeys.indexes });
      onClose();
    },
    meta: { showsErrors: true }, // in the modal
  });
  const confirmed = typed.trim() === target.name;
  return (
    <Stack gap="md">
      <Alert color="red" variant="light" p="sm">
        <Text size="sm">
          Drop <Code>{target.name}</Code> from <Code>{target.collection}</Code>? Queries it serves get slower until it is built
          again.
        </Text>
      </Alert>
      <TextInput
        label={
          <>
            Type <Code>{target.name}</Code> to confirm
          </>
        }
        value={typed}
        onChange={(e) => {
          setTyped(e.currentTarget.value);
          drop.reset();
        }}
        autoComplete="off"
        spellCheck={false}
        data-autofocus
        data-testid="drop-confirm-input"
      />
      {drop.isError && <ErrorAlert error={drop.error} testId="drop-error" />}
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onClose} disabled={drop.isPending}>
          Cancel
        </Button>
        <WriteButton
          color="red"
          leftSection={<IconTrash size={16} />}
          blockedBy={confirmed ? null : 'Type the index name to confirm'}
          loading={drop.isPending}
          onClick={() => drop.mutate(typed.trim())}
          data-testid="drop-confirm"
        >
          Drop index
        </WriteButton>
      </Group>
    </Stack>
  );
}
