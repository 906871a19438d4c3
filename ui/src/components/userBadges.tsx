import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { describeExpiry, formatInstant } from '../format';


const ROLE_COLORS: Record<string, string> = { user: 'gray', admin: 'blue', superadmin: 'grape' };
const TIER_COLORS: Record<string, string> = { free: 'gray', basic: 'cyan', premium: 'indigo', enterprise: 'violet' };

export function RoleBadges({ roles, size = 'sm' }: { roles: string[]; size?: 'xs' | 'sm' | 'md' }) {
  if (roles.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        no roles
      </Text>
    );
  }
  return (
    <Group gap={4} wrap="nowrap">
      {roles.map((r) => (
        <Badge key={r} size={size} variant="light" tt="none" color={ROLE_COLORS[r] ?? 'gray'} data-testid="role-badge" style={{ flexShrink: 0 }}>
          {r}
        </Badge>
      ))}
    </Group>
  );
}

export function TierBadge({ tier, size = 'sm' }: { tier: string | null; size?: 'xs' | 'sm' | 'md' }) {
  if (!tier) {
    return (
      <Text size="sm" c="dimmed" span>
        none
      </Text>
    );
  }
  return (
    <Badge size={size} variant="dot" tt="none" color={TIER_COLORS[tier] ?? 'gray'} data-testid="tier-badge" style={{ flexShrink: 0 }}>
      {tier}
    </Badge>
  );
}

/** `expired 3 days ago` in red, or `12 days left`; the instant in a tooltip. */
export function ExpiryText({ expiresAt, size = 'sm', compact = false }: { expiresAt: string | null; size?: 'xs' | 'sm'; compact?: boolean }) {
  if (!expiresAt) return null;
  const { expired, text } = describeExpiry(expiresAt);
  return (
    <Tooltip label={`Expires ${formatInstant(expiresAt)}`}>
      <Text
        size={size}
        span
        c={expired ? 'red' : 'dimmed'}
        fw={expired ? 600 : undefined}
        data-testid="expiry"
        data-expired={expired || undefined}
        style={{ whiteSpace: 'nowrap' }}
      >
        {compact && expired ? 'expired' : text}
      </Text>
    </Tooltip>
  );
}
