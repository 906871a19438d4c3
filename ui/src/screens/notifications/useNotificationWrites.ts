import { isBackendError } from '../../errors';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import * as backend from '../../backend';
import type { BulkResult, NotificationRef } from '../../backend';
import { formatBulkResult } from '../../format';
import { queryKeys } from '../../queries';

/** The feed, the chart, and every user's notifications section are out of date after a write. */
export function invalidateNotifications(client: QueryClient) {
  void client.invalidateQueries({ queryKey: queryKeys.notifications });
  void client.invalidateQueries({
    predicate: (q) => q.queryKey[0] === 'db' && q.queryKey[1] === 'user' && q.queryKey[3] === 'notifications',
  });
}

/**
 * Mark read/unread and delete, for the feed and the 360 view alike: each
 * toasts "N matched, M modified" and refreshes what shows notifications.
 * Failures are toasted by the MutationCache.
 */
export function useNotificationWrites(onDone?: () => void) {
  const client = useQueryClient();
  const done = (title: string) => (r: BulkResult) => {
    notifications.show({ color: 'teal', title, message: formatBulkResult(r) });
    invalidateNotifications(client);
    onDone?.();
  };
  // Part of the selection changed before it stopped: what is shown and
  // selected is out of date (the error itself is toasted).
  const partly = (error: unknown) => {
    if (!isBackendError(error, 'partly_applied')) return;
    invalidateNotifications(client);
    void client.invalidateQueries({ queryKey: queryKeys.auditLog });
    onDone?.();
  };
  const mark = useMutation({
    mutationFn: ({ refs, read }: { refs: NotificationRef[]; read: boolean }) => backend.markNotifications(refs, read),
    onSuccess: (r, { read }) => done(read ? 'Marked read' : 'Marked unread')(r),
    onError: partly,
  });
  const remove = useMutation({
    mutationFn: (refs: NotificationRef[]) => backend.deleteNotifications(refs),
    onSuccess: (r) => done('Notifications deleted')(r),
    onError: partly,
  });
  return { mark, remove, busy: mark.isPending || remove.isPending };
}
