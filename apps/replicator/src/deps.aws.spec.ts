import { parseFunctionEnv } from '@cargohold/platform-aws';
import { ReplicatorEnvSchema } from './deps.aws';

describe('ReplicatorEnvSchema', () => {
  const storage = { BUCKET: 'cargohold-blobs', TABLE: 'cargohold-prod' };

  it('reads the other regions’ tables (and buckets) from REPLICA_TABLES, none by default', () => {
    expect(parseFunctionEnv(ReplicatorEnvSchema, { ...storage, REPLICA_TABLES: '{"us-west-2":"cargohold-prod-usw2"}' }).REPLICA_TABLES).toEqual({
      'us-west-2': { table: 'cargohold-prod-usw2' },
    });
    const withBucket = '{"eu-west-1":{"table":"cargohold-prod","bucket":"cargohold-prod-blobbucket-x1"}}';
    expect(parseFunctionEnv(ReplicatorEnvSchema, { ...storage, REPLICA_TABLES: withBucket }).REPLICA_TABLES).toEqual({
      'eu-west-1': { table: 'cargohold-prod', bucket: 'cargohold-prod-blobbucket-x1' },
    });
    expect(parseFunctionEnv(ReplicatorEnvSchema, storage).REPLICA_TABLES).toEqual({});
  });

  it('refuses a REPLICA_TABLES that does not map regions to table names', () => {
    expect(() => parseFunctionEnv(ReplicatorEnvSchema, { ...storage, REPLICA_TABLES: '{"west":"t"}' })).toThrow(/REPLICA_TABLES/);
    expect(() => parseFunctionEnv(ReplicatorEnvSchema, { ...storage, REPLICA_TABLES: 'us-west-2=t' })).toThrow(/REPLICA_TABLES/);
  });
});
