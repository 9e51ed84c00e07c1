import { CreateRepositoryCommand, type ImageTagMutability } from '@aws-sdk/client-ecr';
import {
  deleteBlob,
  deleteManifest,
  indexOf,
  prepareImage,
  putImage,
  putManifest,
  race,
  racePair,
  resolveTag,
  tagsOf,
  type Answer,
  type PreparedManifest,
  type Session,
} from './clients';

/** One racing scenario; it answers the digests a client was told are stored and no one deleted since. */
export interface Round {
  readonly name: string;
  run(session: Session): Promise<{ acknowledged: readonly string[] }>;
}

/** Start-delay spread for the delete and unlink races: about one request's time on either backend. */
const SPREAD_MS = 15;

/** A round's own assertion failure (the suite adds seed and round to the message). */
function check(condition: boolean, message: string, answers?: readonly Answer[]): asserts condition {
  if (!condition) throw new Error(answers ? `${message}; answers: ${answers.map((a) => a.detail).join(', ')}` : message);
}

/** The mutability a round's repository is created with; `latest*` is the exclusion where there is one. */
async function createRepository({ ecr, repo }: Session, mode: ImageTagMutability): Promise<void> {
  const exclusions = mode.endsWith('_WITH_EXCLUSION') ? { imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD' as const, filter: 'latest*' }] } : {};
  await ecr.send(new CreateRepositoryCommand({ repositoryName: repo, imageTagMutability: mode, ...exclusions }));
}

/** Each client pushes its own manifest onto `tag`, over /v2/ or ECR PutImage (the PRNG picks). */
async function pushAllOnto(session: Session, tag: string, count: number): Promise<{ images: PreparedManifest[]; answers: Answer[] }> {
  const images = await Promise.all(Array.from({ length: count }, (_, i) => prepareImage(session, `client-${i}`)));
  const via = images.map(() => session.rng.pick(['v2', 'ecr'] as const));
  const answers = await race(
    session.rng,
    images.map((image, i) => () => (via[i] === 'v2' ? putManifest(session, image, tag) : putImage(session, image, tag))),
  );
  return { images, answers };
}

const immutableTag: Round = {
  name: 'N clients push one new immutable tag',
  async run(session) {
    await createRepository(session, session.rng.pick(['IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION'] as const));
    const { images, answers } = await pushAllOnto(session, 'v1', session.rng.int(6, 12));
    const winners = images.filter((_, i) => answers[i]?.ok);
    check(winners.length === 1, `${winners.length} of ${images.length} pushes onto an immutable tag were acknowledged`, answers);
    const refusals = answers.filter((answer) => !answer.ok).map((answer) => answer.detail);
    check(
      refusals.every((detail) => detail === '400 TAG_INVALID' || detail === 'ImageTagAlreadyExistsException'),
      'a losing push got something other than the immutable-tag refusal',
      answers,
    );
    check((await resolveTag(session, 'v1')) === winners[0]?.digest, 'the immutable tag is not on the acknowledged push');
    check((await tagsOf(session)).join() === 'v1', 'a losing push left a tag');
    return { acknowledged: winners.map((image) => image.digest) };
  },
};

const mutableTag: Round = {
  name: 'N clients push one mutable tag',
  async run(session) {
    // `latest` is mutable in both: by the repository's mode, or as an exclusion from immutability.
    await createRepository(session, session.rng.pick(['MUTABLE', 'IMMUTABLE_WITH_EXCLUSION'] as const));
    const { images, answers } = await pushAllOnto(session, 'latest', session.rng.int(6, 12));
    check(
      answers.every((answer) => answer.ok),
      'a push onto a mutable tag was refused',
      answers,
    );
    const final = await resolveTag(session, 'latest');
    check(
      images.some((image) => image.digest === final),
      `the mutable tag ends on ${final}, none of the pushes`,
    );
    return { acknowledged: images.map((image) => image.digest) };
  },
};

export const deleteRacesRetag: Round = {
  name: 'delete-by-digest races a re-tag onto that digest',
  async run(session) {
    await createRepository(session, 'MUTABLE');
    const images = await Promise.all(Array.from({ length: session.rng.int(3, 6) }, (_, i) => prepareImage(session, `image-${i}`)));
    for (const [i, image] of images.entries()) check((await putManifest(session, image, `first-${i}`)).ok, 'setup push failed');
    const actions = images.flatMap((image, i) => [() => deleteManifest(session, image.digest), () => putManifest(session, image, `again-${i}`)]);
    const answers = await race(session.rng, actions, SPREAD_MS);
    check(
      answers.every((answer) => answer.ok || answer.detail.startsWith('404')),
      'a delete or re-tag failed unexpectedly',
      answers,
    );
    // Whichever way each pair went, the invariant check decides: `again-i` must resolve if it exists.
    return { acknowledged: [] };
  },
};

const indexRacesChildDelete: Round = {
  name: 'an index push races the delete of one of its children',
  async run(session) {
    await createRepository(session, 'MUTABLE');
    const children = await Promise.all([0, 1, 2].map((i) => prepareImage(session, `child-${i}`)));
    for (const child of children) check((await putManifest(session, child, child.digest)).ok, 'setup push failed');
    const index = indexOf(children);
    const victim = session.rng.pick(children);
    const [pushed, deleted] = await racePair(
      session.rng,
      () => putManifest(session, index, 'multi'),
      () => deleteManifest(session, victim.digest),
      SPREAD_MS,
    );
    check(pushed.ok !== deleted.ok, 'exactly one of the index push and the child delete must win', [pushed, deleted]);
    const survivors = children.filter((child) => child !== victim || pushed.ok);
    return { acknowledged: [...survivors.map((child) => child.digest), ...(pushed.ok ? [index.digest] : [])] };
  },
};

const unlinkRacesPut: Round = {
  name: 'a blob unlink races a manifest put that lists it',
  async run(session) {
    await createRepository(session, 'MUTABLE');
    const images = await Promise.all(Array.from({ length: session.rng.int(3, 6) }, (_, i) => prepareImage(session, `image-${i}`)));
    const pairs = images.map((image, i) => ({ image, tag: `v${i}`, blob: session.rng.pick(image.blobs) }));
    const answers = await race(
      session.rng,
      pairs.flatMap(({ image, tag, blob }) => [() => putManifest(session, image, tag), () => deleteBlob(session, blob)]),
      SPREAD_MS,
    );
    const acknowledged: string[] = [];
    pairs.forEach(({ image }, i) => {
      const [pushed, unlinked] = [answers[2 * i], answers[2 * i + 1]];
      check(pushed?.ok !== unlinked?.ok, 'exactly one of a manifest put and the unlink of its blob must win', answers);
      if (pushed?.ok) acknowledged.push(image.digest);
    });
    return { acknowledged };
  },
};

export const ROUNDS: readonly Round[] = [immutableTag, mutableTag, deleteRacesRetag, indexRacesChildDelete, unlinkRacesPut];
