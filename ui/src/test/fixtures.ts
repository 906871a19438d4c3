import type { CollectionSummary, Overview, Profile } from '../bindings';

export function aProfile(over: Partial<Profile> = {}): Profile {
  return {
    id: 'p1',
    name: 'Local development',
    uri: 'mongodb://127.0.0.1:27017',
    username: null,
    password: 'none',
    database: null,
    environment: 'development',
    read_only: false,
    color: '#2f9e44',
    timeout_ms: 3000,
    audit_to_database: false,
    ...over,
  };
}

export const COLLECTIONS: CollectionSummary[] = [
  { name: 'users', kind: 'core', estimated_count: 1234567, count_error: null },
  { name: 'crm_contacts', kind: 'plugin', estimated_count: 4008, count_error: null },
  { name: 'admin_audit_log', kind: 'audit', estimated_count: 0, count_error: null },
  { name: 'legacy', kind: 'other', estimated_count: null, count_error: 'not authorized to count legacy' },
];

export function anOverview(over: Partial<Overview> = {}): Overview {
  return {
    profile_id: 'p1',
    profile_name: 'Local development',
    color: '#2f9e44',
    environment: 'development',
    database: 'MozaiksCore',
    read_only: false,
    server: { version: '8.0.4', topology: 'standalone' },
    collections: COLLECTIONS,
    ...over,
  };
}

export function aProductionOverview(over: Partial<Overview> = {}): Overview {
  return anOverview({
    profile_id: 'prod',
    profile_name: 'Production (eu-west)',
    environment: 'production',
    database: 'client',
    read_only: true,
    server: { version: '7.0.14', topology: 'replica_set' },
    ...over,
  });
}
