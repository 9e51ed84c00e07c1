import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { RepoRef } from '@cargohold/storage-ports';

/*
 * The metadata ports over ONE DynamoDB table. Every key attribute is a string, and DynamoDB orders string
 * sort keys by their UTF-8 bytes, which is exactly the byte order the contracts promise. Registry ids
 * (`<account>:<region>`), repository names, digests and tags never contain `#`, so `#` separates fields.
 * Manifest bytes live in the BlobStore (S3), never here: the largest item is a manifest record, whose size
 * is checked before it is written (MAX_ITEM_BYTES, well under DynamoDB's 400 KB).
 *
 *   item              PK                        SK                  LSI1SK                          GSI1PK / GSI1SK                GSI2PK / GSI2SK
 *   repository        REG#<registry>            REPO#<name>         -                               LIFECYCLE / <registry>#<name> (4) -
 *   registry settings REG#<registry>            SETTINGS            -                               -                              -
 *   creation template REG#<registry>            TEMPLATE#<prefix>   -                               -                              -
 *   manifest          REPO#<registry>#<name>    M#<digest>          REFERRER#<subject>#<digest> (1) -                              -
 *   tag               REPO#<registry>#<name>    T#<tag>             TAGOF#<digest>#<tag>            -                              -
 *   blob link         REPO#<registry>#<name>    L#<digest>          -                               -                              -
 *   upload session    SESSION#<id>              SESSION             -                               SESSIONS / <updatedAt ISO>#<id>  REPO#<registry>#<name> / SESSION#<id>
 *   scan              REPO#<registry>#<name>    SCAN#<digest>       -                               -                              -
 *   findings part     REPO#<registry>#<name>    SCAN#<digest>#PART#<generation>#<nnnn>   (2)        -                              -
 *   vulnerability     VULN#<id>                 VULN                -                               -                              -
 *   package lookup    VPKG#<ecosystem>#<name>   <id>                -  (3)                          -                              -
 *   vulndb state      VULNDB                    UPDATED | LEASE     -                               -                              -
 *   gc claim          BLOB#<digest>             CLAIM               -                               -                              -
 *   gc pin            BLOB#<digest>             PIN#<owner>         -                               -                              -
 *   gc reference hint BLOB#<digest>             REF#<registry>#<name>  -                            -                              -
 *   (1) only when the manifest has a subject; LSI1 and both GSIs are sparse.
 *   (2) findings are gzipped JSON cut into binary parts of PART_BYTES: a scan of any size fits, each item
 *       stays far under 400 KB. The scan item names the generation (a fresh id per `finish`) and the part
 *       count; a reader takes only that generation's parts and re-reads if a concurrent finish replaced it.
 *   (4) only while the repository's settings hold a lifecycle policy: the sweep's list of repositories.
 *   (3) ecosystem and name are escaped (`%` -> %25, `#` -> %23), so no pair can collide with another.
 *
 * Access patterns (every read of state a write depends on is strongly consistent):
 *   get repository              GetItem  PK=REG#r, SK=REPO#n
 *   list repositories after l   Query    PK=REG#r AND begins_with(SK, 'REPO#'), ExclusiveStartKey SK=REPO#l
 *   registry settings           GetItem  PK=REG#r, SK=SETTINGS
 *   manifest by digest          GetItem  PK=REPO#r#n, SK=M#d
 *   list manifests after l      Query    PK=REPO#r#n AND begins_with(SK, 'M#'), ExclusiveStartKey SK=M#l
 *   tag -> digest               GetItem  PK=REPO#r#n, SK=T#t (the item holds `digest` and a `version`)
 *   list tags after l           Query    PK=REPO#r#n AND begins_with(SK, 'T#'), ExclusiveStartKey SK=T#l
 *   tags of a digest            Query    LSI1 PK=REPO#r#n AND begins_with(LSI1SK, 'TAGOF#d#')
 *   referrers of a subject      Query    LSI1 PK=REPO#r#n AND begins_with(LSI1SK, 'REFERRER#s#')
 *   parents (delete refusal)    GetItem  of the child manifest: its `parents` string set lists the indexes
 *                               of the repository that name it among their children (child -> parent)
 *   blob link                   GetItem  PK=REPO#r#n, SK=L#d
 *   everything in a repository  Query    PK=REPO#r#n (repository delete cascade)
 *   session by id               GetItem  PK=SESSION#id, SK=SESSION
 *   sessions of a repository    Query    GSI2 GSI2PK=REPO#r#n (repository delete cascade; keys only)
 *   idle sessions, oldest first Query    GSI1 GSI1PK=SESSIONS AND GSI1SK < <before ISO>
 *   repositories with a policy  Query    GSI1 GSI1PK=LIFECYCLE (the scheduled lifecycle sweep; keys only needed)
 *   scan of an image            GetItem  PK=REPO#r#n, SK=SCAN#d, then Query begins_with(SK, 'SCAN#d#PART#<generation>#')
 *   claim a scan                UpdateItem of SCAN#d, conditioned on no scan, IN_PROGRESS, or startedAt < notBefore
 *   vulnerabilities of a package Query   PK=VPKG#e#n (ids), then BatchGetItem of VULN#<id>
 *   who may need a digest (GC)  Query    PK=BLOB#d (consistent): pins, the claim and REF hints, then GetItem
 *                               of each hinted repository's L#d and M#d (dynamo-blob-reclaim-store.ts)
 *   pin a digest                TransactWrite: ConditionCheck BLOB#d/CLAIM (absent, expired or own), Put PIN, Put REF
 *   vulnerability import        BatchGetItem of VULN#<id> (modified, packages), BatchWriteItem of records and
 *                               lookups, under the LEASE item (one importer at a time, see dynamo-vulnerability-store.ts)
 *
 * Why an LSI rather than a GSI for tags-of and referrers: LSI reads can be strongly consistent, so a
 * delete never misses a tag and a referrers answer includes a manifest pushed a moment ago. The price is
 * the 10 GB limit per repository partition, far above ECR's quota of 20,000 images per repository.
 * Why `parents` lives on the child's item instead of separate reverse-reference items: deleting a child
 * is then one DeleteItem conditioned on `attribute_not_exists(parents)`, which no concurrent index push
 * can slip past (see dynamo-manifest-store.ts).
 * One registry's repositories share the REG#<registry> partition: point reads spread over DynamoDB's
 * adaptive capacity, and only ListRepositories/catalog pages query the whole partition.
 * GSI1's single SESSIONS partition takes one write per session touch; uploads refresh their idle clock at
 * most once a minute, which keeps it far below a partition's 1,000 writes per second. Shard the
 * partition key (SESSIONS#<n>) and merge the queries if that ever stops being true.
 * Scans live in their repository's partition, so deleting a repository deletes its scans; they count against
 * its 10 GB item collection, which at a few KB of compressed findings per image stays far below it.
 * The vulnerability database is global to the table (one OSV database serves every registry): one partition
 * per record and per package, so a full import spreads its writes over the whole key space.
 * The stream (NEW_AND_OLD_IMAGES) is how events leave the table on AWS: a Lambda turns manifest and tag
 * item changes into `image.pushed` / `image.deleted`, and publishes the `image.scan-requested` /
 * `image.scanned` events a scan item's write carries in its `events` attribute (dynamo-scan-store.ts),
 * so every event is written with its change.
 */

export const INDEX = { tagsAndReferrers: 'LSI1', sessionsByIdle: 'GSI1', sessionsByRepository: 'GSI2' } as const;

/** What DynamoDB measures against its 400 KB item limit; manifest records larger than this are refused. */
export const MAX_ITEM_BYTES = 350 * 1024;

const S = 'S' as const;

export type TableDefinition = Omit<CreateTableCommandInput, 'TableName'>;

/** The table the adapter expects, as serverless.yml must declare it (CloudFormation uses the same shape). */
export const TABLE_DEFINITION: TableDefinition = deepFreeze({
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: ['PK', 'SK', 'LSI1SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK'].map((AttributeName) => ({
    AttributeName,
    AttributeType: S,
  })),
  KeySchema: [
    { AttributeName: 'PK', KeyType: 'HASH' },
    { AttributeName: 'SK', KeyType: 'RANGE' },
  ],
  LocalSecondaryIndexes: [
    {
      IndexName: INDEX.tagsAndReferrers,
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'LSI1SK', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: INDEX.sessionsByIdle,
      KeySchema: [
        { AttributeName: 'GSI1PK', KeyType: 'HASH' },
        { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: INDEX.sessionsByRepository,
      KeySchema: [
        { AttributeName: 'GSI2PK', KeyType: 'HASH' },
        { AttributeName: 'GSI2SK', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
  ],
  StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
});

/** Key builders: the only place that knows the layout drawn above. */
export const keys = {
  registry: (registry: string) => `REG#${registry}`,
  repositorySk: (name: string) => `REPO#${name}`,
  settingsSk: 'SETTINGS',
  repository: (repo: RepoRef) => `REPO#${repo.registry}#${repo.name}`,
  manifestSk: (digest: string) => `M#${digest}`,
  tagSk: (tag: string) => `T#${tag}`,
  linkSk: (digest: string) => `L#${digest}`,
  tagOf: (digest: string, tag = '') => `TAGOF#${digest}#${tag}`,
  referrer: (subject: string, digest = '') => `REFERRER#${subject}#${digest}`,
  session: (id: string) => `SESSION#${id}`,
  sessionSk: 'SESSION',
  idlePartition: 'SESSIONS',
  lifecyclePartition: 'LIFECYCLE',
  idleSince: (at: Date, id = '') => `${at.toISOString()}${id ? `#${id}` : ''}`,
  scanSk: (digest: string) => `SCAN#${digest}`,
  scanPart: (digest: string, generation: string, part?: number) =>
    `SCAN#${digest}#PART#${generation}#${part === undefined ? '' : String(part).padStart(4, '0')}`,
  vulnerability: (id: string) => `VULN#${id}`,
  vulnerabilitySk: 'VULN',
  vulnerablePackage: (ecosystem: string, name: string) => `VPKG#${escapeField(ecosystem)}#${escapeField(name)}`,
  vulnerabilityDatabase: 'VULNDB',
  updatedSk: 'UPDATED',
  leaseSk: 'LEASE',
} as const;

/** Makes a free-form string safe between `#` separators; injective, since `%` always starts an escape. */
function escapeField(value: string): string {
  return value.replace(/%/g, '%25').replace(/#/g, '%23');
}

export const PREFIX = { repository: 'REPO#', manifest: 'M#', tag: 'T#' } as const;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
