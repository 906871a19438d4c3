// The one door to the Rust backend. Every component (and every hook) calls
// these functions, never `commands` directly, so tests can swap this module
// out with `vi.mock('../backend')`.
//
// `commands` (generated in bindings.ts) resolve to `{status:"ok",data}` or
// `{status:"error",error}`; here that becomes a plain promise that resolves
// with `data` or rejects with a `BackendError` carrying the typed `AppError`.

import { Channel } from '@tauri-apps/api/core';
import { save as saveDialog } from '@tauri-apps/plugin-dialog';
import {
  commands,
  type AppError,
  type AuditEntry,
  type AuditQuery,
  type BrowsedDatabase,
  type BulkResult,
  type Chart,
  type ChartId,
  type Compose,
  type ConnectionTest,
  type DayCount,
  type Deployment,
  type EnvironmentOffer,
  type ErasePlan,
  type ExportProgress,
  type ExportReport,
  type FeedPage,
  type FeedQuery,
  type FindingKind,
  type FindingsReport,
  type FixOutcome,
  type FixProgress,
  type FixScope,
  type Health,
  type HealthProgress,
  type HealthReport,
  type NotificationPreferences,
  type NotificationRef,
  type Overview,
  type PlatformDatabase,
  type QueryInput,
  type QueryPage,
  type ExplainSummary,
  type FieldStat,
  type ExportFormat,
  type FoundIds,
  type SavedQuery,
  type TableExportProgress,
  type TableExportReport,
  type ExportTarget,
  type Repair,
  type RepairOutcome,
  type RepairPlan,
  type Saved,
  type Sent,
  type PluginData,
  type PluginOverview,
  type PlannedIndex,
  type Profile,
  type ProfileInput,
  type SchemaReport,
  type SeedProgress,
  type SeedReport,
  type StatusPage,
  type Total,
  type TtlStatus,
  type UserDetail,
  type UserEdit,
  type UserNotifications,
  type UserPage,
  type UserQuery,
  type UserRow,
  type UserSettings,
  type UriSections,
} from './bindings';
import { BackendError, IpcError } from './errors';

export type {
  AppError,
  AuditEntry,
  AuditQuery,
  BrowsedCollection,
  BrowsedDatabase,
  BulkResult,
  Chart,
  ChartId,
  CollectionCount,
  CollectionHealth,
  CollectionKind,
  CollectionSummary,
  Compose,
  ConnectStep,
  ConnectionTest,
  DayCount,
  Deployment,
  Drill,
  DuplicateValue,
  Environment,
  EnvironmentOffer,
  ErasePlan,
  ExportProgress,
  ExportReport,
  FeedPage,
  FeedQuery,
  FeedRow,
  FieldStat,
  Finding,
  FindingKind,
  FindingsReport,
  FixFailure,
  FixKind,
  FixOutcome,
  FixProgress,
  FixScope,
  Health,
  HealthProgress,
  HealthReport,
  IndexCheck,
  IndexState,
  Member,
  NotificationPreferences,
  NotificationRef,
  NotificationRow,
  Overview,
  PasswordMode,
  OtherDatabases,
  PlannedIndex,
  PlatformDatabase,
  PluginCollection,
  PluginData,
  PluginInfo,
  PluginOverview,
  PluginSettings,
  Profile,
  ProfileInput,
  QueryInput,
  QueryPage,
  ExplainSummary,
  ExportFormat,
  TableExportProgress,
  TableExportReport,
  ExportTarget,
  FoundId,
  FoundIds,
  SavedQuery,
  ReadMode,
  Repair,
  RepairOutcome,
  RepairPlan,
  Saved,
  ReadPreferenceChoice,
  Route,
  SchemaReport,
  SeedProgress,
  SeedReport,
  Sent,
  Series,
  SshAuth,
  SshTunnel,
  TlsSettings,
  ServerInfo,
  Shard,
  StatusPage,
  SubscriptionState,
  Topology,
  Total,
  TtlStatus,
  UserDetail,
  UserEdit,
  UserFilter,
  UserLabel,
  UserNotifications,
  UserPage,
  UserQuery,
  UserRow,
  UserSettings,
  UserSortField,
  UriSections,
} from './bindings';
// The shared constants (ROLES, TIERS, MAX_PAGE, …) are imported from
// bindings.ts directly, not re-exported here: tests automock this module, and
// an automocked array is empty.
export { BackendError, IpcError } from './errors';

type Result<T> = { status: 'ok'; data: T } | { status: 'error'; error: AppError };

function ipcAvailable(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

function isAppError(e: unknown): e is AppError {
  return typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string';
}

/** Resolves with the command's data or rejects with a `BackendError`. */
declare global {
  interface Window {
    /** Set only by the end-to-end test, to scan every IPC response for secrets. */
    __MOZAIKS_IPC_LOG__?: string[];
  }
}

export async function unwrap<T>(call: () => Promise<Result<T>>): Promise<T> {
  if (!ipcAvailable()) {
    throw new IpcError('The mozaiks-admin backend is not available: this page is running outside the desktop app.');
  }
  let result: Result<T>;
  try {
    result = await call();
  } catch (e) {
    // bindings rethrow real `Error`s (a broken IPC bridge, a serialisation bug).
    throw new IpcError(e instanceof Error ? e.message : String(e));
  }
  const log = window.__MOZAIKS_IPC_LOG__;
  if (Array.isArray(log)) log.push(JSON.stringify(result));
  if (result.status === 'ok') return result.data;
  // Tauri itself rejects with a bare string when it cannot run a command at
  // all (unknown command, arguments that do not deserialise).
  if (isAppError(result.error)) throw new BackendError(result.error);
  throw new IpcError(String(result.error));
}

/** A channel for a command's progress; the e2e scan sees its messages too. */
function progressChannel<T>(onProgress: (p: T) => void): Channel<T> {
  const channel = new Channel<T>();
  channel.onmessage = (message) => {
    const log = window.__MOZAIKS_IPC_LOG__;
    if (Array.isArray(log)) log.push(JSON.stringify(message));
    onProgress(message);
  };
  return channel;
}

export const listProfiles = (): Promise<Profile[]> => unwrap(() => commands.listProfiles());

export const createProfile = (input: ProfileInput): Promise<Profile> =>
  unwrap(() => commands.createProfile(input));

export const updateProfile = (id: string, input: ProfileInput): Promise<Profile> =>
  unwrap(() => commands.updateProfile(id, input));

export const duplicateProfile = (id: string): Promise<Profile> =>
  unwrap(() => commands.duplicateProfile(id));

export const deleteProfile = (id: string): Promise<null> => unwrap(() => commands.deleteProfile(id));

export const environmentOffer = (): Promise<EnvironmentOffer | null> =>
  unwrap(() => commands.environmentOffer());

export const adoptEnvironmentProfile = (rememberPassword: boolean): Promise<Profile> =>
  unwrap(() => commands.adoptEnvironmentProfile(rememberPassword));

export const testConnection = (input: ProfileInput, existingId: string | null): Promise<ConnectionTest> =>
  unwrap(() => commands.testConnection(input, existingId));

/** The TLS and read-preference sections a pasted connection string fills. */
export const describeUri = (uri: string): Promise<UriSections> => unwrap(() => commands.describeUri(uri));

/** Keeps the key a bastion offered, after the user compared its fingerprint. */
export const trustHostKey = (host: string, port: number, fingerprint: string): Promise<null> =>
  unwrap(() => commands.trustHostKey(host, port, fingerprint));

export const connect = (id: string, password: string | null): Promise<Overview> =>
  unwrap(() => commands.connect(id, password));

export const disconnect = (): Promise<null> => unwrap(() => commands.disconnect());

export const overview = (): Promise<Overview> => unwrap(() => commands.overview());

/** The replica set's members, or the cluster's routers and shards. */
export const deployment = (): Promise<Deployment> => unwrap(() => commands.deployment());

/** Whether the server answers now (the header polls it). */
export const connectionHealth = (): Promise<Health> => unwrap(() => commands.connectionHealth());

export const setReadOnly = (readOnly: boolean, confirmation: string | null): Promise<Overview> =>
  unwrap(() => commands.setReadOnly(readOnly, confirmation));

/** MozaiksCore, MozaiksAI and MozaiksDB with their collections. */
export const browseDatabases = (): Promise<BrowsedDatabase[]> => unwrap(() => commands.browseDatabases());

/** One page of a query bar's documents, each canonical Extended JSON. */
export const runQuery = (database: PlatformDatabase, collection: string, query: QueryInput): Promise<QueryPage> =>
  unwrap(() => commands.runQuery(database, collection, query));

/** The query's count, asked apart so the rows never wait for it. */
export const countQuery = (database: PlatformDatabase, collection: string, query: QueryInput): Promise<Total> =>
  unwrap(() => commands.countQuery(database, collection, query));

/** Where an export's progress goes. */
type OnExportProgress = (p: TableExportProgress) => void;

/**
 * Each table's export: every row its filters match, streamed to the
 * target's file; its `run_id` lets `cancelRun` stop it (nothing is left
 * behind then). Each is audited by the backend.
 */
const exporting = (
  onProgress: OnExportProgress,
  call: (channel: Channel<TableExportProgress>) => Promise<Result<TableExportReport>>,
): Promise<TableExportReport> => unwrap(() => call(progressChannel<TableExportProgress>(onProgress)));

/** Every document a query bar's query matches (its page size aside). */
export const exportQuery = (
  database: PlatformDatabase,
  collection: string,
  query: QueryInput,
  target: ExportTarget,
  onProgress: OnExportProgress,
): Promise<TableExportReport> => exporting(onProgress, (c) => commands.exportQuery(database, collection, query, target, c));

/** Every user the users list's filters match, with its columns. */
export const exportUsers = (query: UserQuery, target: ExportTarget, onProgress: OnExportProgress): Promise<TableExportReport> =>
  exporting(onProgress, (c) => commands.exportUsers(query, target, c));

/** Every notification the feed's filters match, with its columns. */
export const exportFeed = (query: FeedQuery, target: ExportTarget, onProgress: OnExportProgress): Promise<TableExportReport> =>
  exporting(onProgress, (c) => commands.exportFeed(query, target, c));

/** Every audit entry the audit screen's filters match (its limit aside). */
export const exportAudit = (query: AuditQuery, target: ExportTarget, onProgress: OnExportProgress): Promise<TableExportReport> =>
  exporting(onProgress, (c) => commands.exportAudit(query, target, c));

/** One user's documents in a plugin collection. */
export const exportPluginDocuments = (
  userId: string,
  collection: string,
  target: ExportTarget,
  onProgress: OnExportProgress,
): Promise<TableExportReport> => exporting(onProgress, (c) => commands.exportPluginDocuments(userId, collection, target, c));

/** Asks the run started under `runId` to stop; whether one was running. */
export const cancelRun = (runId: string): Promise<boolean> => unwrap(() => commands.cancelRun(runId));

/** Where to write an export of the given format; null when the user cancels. */
export const chooseTableExportPath = (defaultName: string, format: ExportFormat): Promise<string | null> => {
  const filters: Record<ExportFormat, { name: string; extensions: string[] }> = {
    json: { name: 'JSON', extensions: ['json'] },
    json_lines: { name: 'JSON lines', extensions: ['jsonl'] },
    csv: { name: 'CSV', extensions: ['csv'] },
  };
  return chooseSavePath(`${defaultName}.${filters[format].extensions[0]}`, filters[format]);
};

/** How the server runs the query; `unsupported` where it cannot explain. */
export const explainQuery = (database: PlatformDatabase, collection: string, query: QueryInput): Promise<ExplainSummary> =>
  unwrap(() => commands.explainQuery(database, collection, query));

/** The profile's favourite queries (by name), then its recent ones. */
export const queryHistory = (): Promise<SavedQuery[]> => unwrap(() => commands.queryHistory());

/** Names a saved query as a favourite; `null` makes it a plain one again. */
export const favouriteQuery = (id: string, name: string | null): Promise<SavedQuery> => unwrap(() => commands.favouriteQuery(id, name));

/** Forgets the profile's recent queries, keeping its favourites; how many went. */
export const clearQueryHistory = (): Promise<number> => unwrap(() => commands.clearQueryHistory());

/** The field paths a sample of the collection holds: the query bar's hints. */
export const sampleFields = (database: PlatformDatabase, collection: string): Promise<FieldStat[]> =>
  unwrap(() => commands.sampleFields(database, collection));

/** One whole document by its `_id` (canonical Extended JSON), as the editor opens it. */
export const openDocument = (database: PlatformDatabase, collection: string, id: string): Promise<string> =>
  unwrap(() => commands.openDocument(database, collection, id));

/** Looks up one ObjectId as `_id` in every collection of the database. */
export const findId = (database: PlatformDatabase, id: string): Promise<FoundIds> => unwrap(() => commands.findId(database, id));

/** Saves the fields that differ from `original` (the document as opened); a change made meanwhile is a `conflict`. */
export const saveDocument = (database: PlatformDatabase, collection: string, original: string, document: string): Promise<Saved> =>
  unwrap(() => commands.saveDocument(database, collection, original, document));

/** Deletes the document if it is still as `original`; resolves with an audit warning, if any. */
export const deleteDocument = (database: PlatformDatabase, collection: string, original: string): Promise<string | null> =>
  unwrap(() => commands.deleteDocument(database, collection, original));

export const insertDocument = (database: PlatformDatabase, collection: string, document: string): Promise<Saved> =>
  unwrap(() => commands.insertDocument(database, collection, document));

/**
 * Seeds the demo collections; `onProgress` receives every progress message
 * the backend streams over a Tauri `Channel` while the seed runs.
 * `confirmDatabase`: the database name typed back, when the backend asked
 * for it (`confirmation_required`).
 */
export const seedDemoData = (
  users: number,
  confirmDatabase: string | null,
  onProgress: (p: SeedProgress) => void,
): Promise<SeedReport> =>
  unwrap(() => {
    const channel = progressChannel<SeedProgress>(onProgress);
    return commands.seedDemoData(users, confirmDatabase, channel);
  });

export const listUsers = (query: UserQuery): Promise<UserPage> => unwrap(() => commands.listUsers(query));

/** The total for the list's filters (`after` and `page_size` do not matter). */
export const countUsers = (query: UserQuery): Promise<Total> => unwrap(() => commands.countUsers(query));

/** An email or username prefix, a 24-hex user id, or `id:<hex>`. */
export const searchUsers = (text: string): Promise<UserRow[]> => unwrap(() => commands.searchUsers(text));

export const userDetail = (userId: string): Promise<UserDetail> => unwrap(() => commands.userDetail(userId));

export const updateUser = (userId: string, edit: UserEdit): Promise<UserDetail> =>
  unwrap(() => commands.updateUser(userId, edit));

export const userNotifications = (userId: string, page: number, pageSize: number): Promise<UserNotifications> =>
  unwrap(() => commands.userNotifications(userId, page, pageSize));

export const pluginCollections = (): Promise<string[]> => unwrap(() => commands.pluginCollections());

export const userPluginData = (userId: string, collection: string, pageSize: number): Promise<PluginData> =>
  unwrap(() => commands.userPluginData(userId, collection, pageSize));

export const userSettings = (userId: string): Promise<UserSettings> => unwrap(() => commands.userSettings(userId));

/** `expected`: the `notification_preferences_json` the form was loaded with. */
export const saveNotificationPreferences = (
  userId: string,
  preferences: NotificationPreferences,
  expected: string | null,
): Promise<UserSettings> => unwrap(() => commands.saveNotificationPreferences(userId, preferences, expected));

/** `expected`: the plugin's `json` as loaded (null for a plugin without settings). */
export const savePluginSettings = (
  userId: string,
  plugin: string,
  json: string,
  expected: string | null,
): Promise<UserSettings> => unwrap(() => commands.savePluginSettings(userId, plugin, json, expected));

export const listAudit = (query: AuditQuery): Promise<AuditEntry[]> => unwrap(() => commands.listAudit(query));

/** The dry run of `eraseUser`. */
export const erasePlan = (userId: string): Promise<ErasePlan> => unwrap(() => commands.erasePlan(userId));

export const eraseUser = (userId: string, confirmEmail: string): Promise<ErasePlan> =>
  unwrap(() => commands.eraseUser(userId, confirmEmail));

/** Writes the user's data to `path`; `onProgress` gets each collection as it is exported. */
export const exportUser = (
  userId: string,
  path: string,
  onProgress: (p: ExportProgress) => void,
): Promise<ExportReport> =>
  unwrap(() => {
    const channel = progressChannel<ExportProgress>(onProgress);
    return commands.exportUser(userId, path, channel);
  });

/** Newest first, range-paged by `after` (the previous page's `next`). */
export const notificationFeed = (query: FeedQuery): Promise<FeedPage> => unwrap(() => commands.notificationFeed(query));

/** The notifications TTL index, with a warning when it is missing or not 30 days. */
export const notificationTtl = (): Promise<TtlStatus> => unwrap(() => commands.notificationTtl());

/** Notifications per UTC day and type over the last 30 days. */
export const notificationChart = (): Promise<DayCount[]> => unwrap(() => commands.notificationChart());

export const markNotifications = (notifications: NotificationRef[], read: boolean): Promise<BulkResult> =>
  unwrap(() => commands.markNotifications(notifications, read));

export const deleteNotifications = (notifications: NotificationRef[]): Promise<BulkResult> =>
  unwrap(() => commands.deleteNotifications(notifications));

export const sendNotification = (compose: Compose): Promise<Sent> => unwrap(() => commands.sendNotification(compose));

export const pluginOverview = (): Promise<PluginOverview> => unwrap(() => commands.pluginOverview());

/** Field paths, types and presence from a sample of the collection. */
export const pluginSchema = (collection: string): Promise<SchemaReport> => unwrap(() => commands.pluginSchema(collection));

export const pluginFindings = (collection: string): Promise<FindingsReport> =>
  unwrap(() => commands.pluginFindings(collection));

/** The documents behind a finding, as redacted Extended JSON. */
export const findingDocuments = (collection: string, kind: FindingKind): Promise<string[]> =>
  unwrap(() => commands.findingDocuments(collection, kind));

export const setPluginStatus = (userId: string, collection: string, ids: string[], status: string): Promise<BulkResult> =>
  unwrap(() => commands.setPluginStatus(userId, collection, ids, status));

/** A plugin collection's documents with one status, across users, newest first; `after`: the previous page's `next`. */
export const pluginStatusDocuments = (
  collection: string,
  status: string,
  userId: string | null,
  after: string | null,
): Promise<StatusPage> => unwrap(() => commands.pluginStatusDocuments(collection, status, userId, after));

/**
 * Every core and plugin collection's indexes against the platform's required
 * set; `onProgress` gets each collection as it is checked.
 */
export const indexHealth = (onProgress: (p: HealthProgress) => void): Promise<HealthReport> =>
  unwrap(() => {
    const channel = progressChannel<HealthProgress>(onProgress);
    return commands.indexHealth(channel);
  });

/** What a fix of `scope` would build, with the duplicate values that stop a unique index. Reads only. */
export const indexFixPlan = (scope: FixScope): Promise<PlannedIndex[]> => unwrap(() => commands.indexFixPlan(scope));

/**
 * Builds exactly `confirmed` (the plan the user saw, from `indexFixPlan`);
 * `conflict` when the plan changed since. `onProgress` gets each index built.
 */
export const createIndexes = (
  scope: FixScope,
  confirmed: PlannedIndex[],
  onProgress: (p: FixProgress) => void,
): Promise<FixOutcome> =>
  unwrap(() => {
    const channel = progressChannel<FixProgress>(onProgress);
    return commands.createIndexes(scope, confirmed, channel);
  });

/** `confirmation`: the index name typed back. `_id_` is always refused. */
export const dropIndex = (collection: string, name: string, confirmation: string): Promise<null> =>
  unwrap(() => commands.dropIndex(collection, name, confirmation));

/** One dashboard chart, computed now on the server. */
export const dashboardChart = (id: ChartId): Promise<Chart> => unwrap(() => commands.dashboardChart(id));

/** One user's plugin documents by status (the 360 view's chart). */
export const userPluginStatus = (userId: string): Promise<Chart> => unwrap(() => commands.userPluginStatus(userId));

/** Writes the chart's numbers as CSV to `path` (from `chooseCsvPath`). */
export const saveChartCsv = (chart: Chart, path: string): Promise<null> => unwrap(() => commands.saveChartCsv(chart, path));

/** The native "Save as" dialog; resolves with the chosen path, or null when the user cancels. */
async function chooseSavePath(defaultPath: string, filter: { name: string; extensions: string[] }): Promise<string | null> {
  if (!ipcAvailable()) {
    throw new IpcError('The mozaiks-admin backend is not available: this page is running outside the desktop app.');
  }
  try {
    return await saveDialog({ defaultPath, filters: [filter] });
  } catch (e) {
    throw new IpcError(e instanceof Error ? e.message : String(e));
  }
}

/** Where to write a JSON export; null when the user cancels. */
export const chooseExportPath = (defaultPath: string): Promise<string | null> =>
  chooseSavePath(defaultPath, { name: 'JSON', extensions: ['json'] });

/** Where to write one document per line; null when the user cancels. */
export const chooseJsonLinesPath = (defaultPath: string): Promise<string | null> =>
  chooseSavePath(defaultPath, { name: 'JSON lines', extensions: ['jsonl'] });

/** A repair's dry run: exactly which documents it changes now. */
export const planRepair = (collection: string, repair: Repair): Promise<RepairPlan> =>
  unwrap(() => commands.planRepair(collection, repair));

/** Applies a repair if it still changes the documents its dry run listed (`fingerprint`). */
export const applyRepair = (
  collection: string,
  repair: Repair,
  fingerprint: string,
  confirmation: string | null,
  exportPath: string | null,
): Promise<RepairOutcome> => unwrap(() => commands.applyRepair(collection, repair, fingerprint, confirmation, exportPath));

/** Where to write a chart's CSV; null when the user cancels. */
export const chooseCsvPath = (defaultPath: string): Promise<string | null> =>
  chooseSavePath(defaultPath, { name: 'CSV', extensions: ['csv'] });
