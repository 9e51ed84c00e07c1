import { ScanFailedError } from '../errors';
import type { LayerEntry, LayerVisitor } from './read-layer';
import { joinPath } from './tar-paths';

/** How much of a file the inventory needs: its bytes, or only the fact that it exists. */
export type Interest = 'content' | 'presence';

/** Linux gives up after 40 links in one lookup (ELOOP); so does the scanner. */
const MAX_SYMLINK_HOPS = 40;

interface DirNode {
  kind: 'dir';
  children: Map<string, Node>;
}
type Node = DirNode | { kind: 'file'; content: Uint8Array | undefined } | { kind: 'symlink'; target: string };

/**
 * The final filesystem of an image, restricted to what the inventory cares about: the files it asked
 * for (with their content), every symlink (so lookups resolve as in the container), and the directories
 * leading to them. Other files and directories are never stored; they only shadow what is below them.
 *
 * Layers are applied lowest first. Within a layer the OCI rules hold: its whiteouts (`.wh.<name>`) and
 * opaque markers (`.wh..wh..opq`) act on the layers below only, so they are applied before the layer's
 * own entries, wherever they appear in the archive.
 */
export class ImageView {
  private readonly root: DirNode = { kind: 'dir', children: new Map() };

  /** A visitor for the next layer; `apply` it once readLayer has finished with it. */
  stage(interest: (path: string) => Interest | undefined): LayerChanges {
    return new LayerChanges(interest, (path) => this.lookup(path) !== undefined);
  }

  apply(changes: LayerChanges): void {
    for (const path of changes.whiteouts) this.remove(path);
    for (const path of changes.opaques) {
      const node = this.lookup(path);
      if (node?.kind === 'dir') node.children.clear();
    }
    for (const entry of changes.entries) {
      if (entry.kind === 'directory') {
        if (this.lookup(entry.path)?.kind !== 'dir') this.remove(entry.path);
      } else if (entry.kind === 'hardlink') {
        const target = changes.captured.get(entry.target) ?? this.lookup(entry.target);
        if (target?.kind === 'file' && changes.interest(entry.path)) this.put(entry.path, target);
        else this.remove(entry.path);
      } else if (entry.kind === 'node') {
        this.put(entry.path, entry.node);
      } else {
        this.remove(entry.path);
      }
    }
  }

  /**
   * Reads a file as the container would open it, following symlinks at every step.
   * Throws ScanFailedError('symlink-loop') when a lookup needs more than 40 links.
   */
  readFile(path: string): { found: true; path: string; content: Uint8Array | undefined } | { found: false } {
    const resolved = this.resolve(path);
    const node = resolved === undefined ? undefined : this.lookup(resolved);
    return node?.kind === 'file' ? { found: true, path: resolved as string, content: node.content } : { found: false };
  }

  /** The files directly inside a directory (symlinks followed), sorted by name. */
  listFiles(dir: string): { path: string; content: Uint8Array | undefined }[] {
    const resolved = this.resolve(dir);
    const node = resolved === undefined ? undefined : this.lookup(resolved);
    if (node?.kind !== 'dir') return [];
    return [...node.children.keys()]
      .sort()
      .map((name) => this.readFile(joinPath(resolved as string, name)))
      .flatMap((file) => (file.found ? [{ path: file.path, content: file.content }] : []));
  }

  /** Every stored regular file at its own path (no symlinks followed), sorted by path. */
  files(): { path: string; content: Uint8Array | undefined }[] {
    const out: { path: string; content: Uint8Array | undefined }[] = [];
    const walk = (dir: DirNode, path: string): void => {
      for (const [name, node] of [...dir.children].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const child = joinPath(path, name);
        if (node.kind === 'dir') walk(node, child);
        else if (node.kind === 'file') out.push({ path: child, content: node.content });
      }
    };
    walk(this.root, '/');
    return out;
  }

  /** Canonical path with every symlink resolved; undefined when a component is missing. */
  private resolve(path: string): string | undefined {
    let pending = path.split('/').filter((s) => s !== '');
    let current: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const [name, ...rest] = pending as [string, ...string[]];
      pending = rest;
      if (name === '.') continue;
      if (name === '..') {
        current.pop();
        continue;
      }
      const candidate = `/${[...current, name].join('/')}`;
      const node = this.lookup(candidate);
      if (node === undefined) return undefined;
      if (node.kind !== 'symlink') {
        current.push(name);
        continue;
      }
      hops += 1;
      if (hops > MAX_SYMLINK_HOPS) throw new ScanFailedError('symlink-loop', path);
      // Targets were made absolute and canonical when the layer was read.
      current = [];
      pending = [...node.target.split('/').filter((s) => s !== ''), ...pending];
    }
    return `/${current.join('/')}`;
  }

  private lookup(path: string): Node | undefined {
    let node: Node = this.root;
    for (const name of path.split('/')) {
      if (name === '') continue;
      if (node.kind !== 'dir') return undefined;
      const child: Node | undefined = node.children.get(name);
      if (child === undefined) return undefined;
      node = child;
    }
    return node;
  }

  private put(path: string, node: Node): void {
    const names = path.split('/').filter((s) => s !== '');
    const last = names.pop();
    if (last === undefined) return;
    let dir = this.root;
    for (const name of names) {
      let child = dir.children.get(name);
      if (child?.kind !== 'dir') {
        child = { kind: 'dir', children: new Map() };
        dir.children.set(name, child);
      }
      dir = child;
    }
    dir.children.set(last, node);
  }

  private remove(path: string): void {
    const names = path.split('/').filter((s) => s !== '');
    const last = names.pop();
    if (last === undefined) return;
    const parent = this.lookup(`/${names.join('/')}`);
    if (parent?.kind === 'dir') parent.children.delete(last);
  }
}

type StagedEntry =
  { kind: 'node'; path: string; node: Node } | { kind: 'directory' | 'remove'; path: string } | { kind: 'hardlink'; path: string; target: string };

/** One layer's changes, collected while readLayer streams it; see ImageView.apply. */
export class LayerChanges implements LayerVisitor {
  readonly whiteouts: string[] = [];
  readonly opaques: string[] = [];
  readonly entries: StagedEntry[] = [];
  /** Files of this layer by path, for hardlinks to them later in the same layer. */
  readonly captured = new Map<string, Node>();

  constructor(
    readonly interest: (path: string) => Interest | undefined,
    /** Whether the layers below hold something at `path`: if not, a plain entry there changes nothing. */
    private readonly below: (path: string) => boolean,
  ) {}

  wants(path: string): boolean {
    return this.interest(path) !== undefined;
  }

  async visit(entry: LayerEntry): Promise<void> {
    switch (entry.kind) {
      case 'whiteout':
        this.whiteouts.push(entry.path);
        return;
      case 'opaque':
        this.opaques.push(entry.path);
        return;
      case 'file': {
        const content = this.interest(entry.path) === 'content' ? await entry.read() : undefined;
        const node: Node = { kind: 'file', content };
        this.captured.set(entry.path, node);
        this.entries.push({ kind: 'node', path: entry.path, node });
        return;
      }
      case 'symlink':
        this.entries.push({ kind: 'node', path: entry.path, node: { kind: 'symlink', target: entry.target } });
        return;
      case 'hardlink':
        this.entries.push({ kind: 'hardlink', path: entry.path, target: entry.target });
        return;
      default:
        // Memory stays proportional to what the inventory keeps, not to the number of entries.
        if (this.below(entry.path) || this.captured.has(entry.path)) {
          this.entries.push({ kind: entry.kind === 'directory' ? 'directory' : 'remove', path: entry.path });
        }
    }
  }
}
