import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconLock, IconRoute } from '@tabler/icons-react';
import type { Route } from '../backend';

/**
 * How the open connection reaches the server: the read preference, the SSH
 * bastion, TLS, and a warning that stays in the header for every TLS
 * check the profile switched off.
 */
export function RouteBadges({ route }: { route: Route }) {
  return (
    <Group gap={6} wrap="nowrap" data-testid="header-route">
      <Tooltip label="Which members answer browsing reads; writes always go to the primary">
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }} data-testid="header-read-preference">
          reads: {route.read_preference}
        </Text>
      </Tooltip>
      {route.ssh && (
        <Tooltip label={`Through the SSH bastion ${route.ssh}`}>
          <Badge size="sm" variant="light" color="gray" leftSection={<IconRoute size={12} />} data-testid="header-ssh">
            SSH
          </Badge>
        </Tooltip>
      )}
      {route.tls && route.warnings.length === 0 && (
        <Badge size="sm" variant="light" color="teal" leftSection={<IconLock size={12} />} data-testid="header-tls">
          TLS
        </Badge>
      )}
      {route.warnings.length > 0 && (
        <Tooltip label={route.warnings.join('. ')} multiline maw={360}>
          <Badge
            size="md"
            variant="filled"
            color="orange"
            leftSection={<IconAlertTriangle size={13} />}
            data-testid="header-tls-warning"
          >
            TLS checks relaxed
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}
