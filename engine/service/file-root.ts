/**
 * The files a host lets its user reach: everything under one root folder (`kinscan serve --root`,
 * the home folder by default; the desktop app's is the whole file system). Every path the protocol
 * receives (projects, data files, export outputs, folders to list) goes through here: a relative
 * path is taken from the root, a path with a '..' segment is refused outright, and a path whose
 * real location (links followed) is outside the root is refused, so a symbolic link cannot lead
 * out. files.list lists a folder's files and folders, leaving out links that lead out.
 */
import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../io/errors.js';

/** At most this many entries in one listing (the rest are counted). */
export const MAX_LISTING = 5000;

export interface FileEntry {
  name: string;
  path: string;
  kind: 'file' | 'directory';
  size: number;
  modifiedAt: string;
}

export interface FolderListing {
  root: string;
  dir: string;
  parent: string | null;
  entries: FileEntry[];
  truncated: number;
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export class FileRoot {
  /** The root's real path (links resolved). */
  readonly root: string;

  constructor(root: string) {
    let real: string;
    try {
      real = realpathSync(resolve(root));
    } catch (e) {
      throw new Error(`the files root ${root} cannot be used: ${(e as Error).message}`);
    }
    if (!statSync(real).isDirectory()) throw new Error(`the files root ${root} is not a folder`);
    this.root = real;
  }

  private inside(real: string): boolean {
    const rel = relative(this.root, real);
    return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
  }

  private outside(path: string): InputError {
    return new InputError(`is outside the folder this Kinscan may use (${this.root})`, { file: path }, `Choose a file inside ${this.root}`);
  }

  /** The absolute path of `p` (from the root when relative), refusing '..' segments. */
  private absolute(p: string): string {
    if (p.split(/[\\/]/).includes('..')) throw new InputError("contains '..'", { file: p }, `Give the path without '..' (from ${this.root} or absolute)`);
    return isAbsolute(p) ? resolve(p) : resolve(this.root, p);
  }

  /** The real path of the deepest existing part of `abs`, joined with the parts that do not exist yet. */
  private realOf(abs: string): string {
    let head = abs;
    const tail: string[] = [];
    while (!exists(head)) {
      const up = dirname(head);
      if (up === head) break;
      tail.unshift(basename(head));
      head = up;
    }
    let real: string;
    try {
      real = realpathSync(head);
    } catch {
      // A link whose target is missing: where it points is unknown, so it is not inside.
      throw this.outside(abs);
    }
    return tail.length > 0 ? join(real, ...tail) : real;
  }

  /**
   * A path inside the root, as an absolute path (links are not resolved in what is returned; they
   * are checked). It need not exist: a project to create, an export to write, a PLINK prefix.
   */
  path(p: string): string {
    const abs = this.absolute(p);
    if (!this.inside(this.realOf(abs))) throw this.outside(p);
    return abs;
  }

  /** A file to write inside the root: its folder exists, and it is not a folder itself. */
  output(p: string): string {
    const abs = this.path(p);
    const folder = dirname(abs);
    let st: Stats | undefined;
    try {
      st = statSync(folder);
    } catch {
      st = undefined;
    }
    if (!st?.isDirectory()) throw new InputError(`cannot be written: the folder ${folder} does not exist`, { file: abs }, 'Choose an existing folder, or create it first');
    let target: Stats | undefined;
    try {
      target = statSync(abs);
    } catch {
      target = undefined;
    }
    if (target?.isDirectory()) throw new InputError('is a folder', { file: abs }, 'Give a file name for the output');
    return abs;
  }

  /** A PLINK prefix (or one of its files) inside the root, with each of its three files that exists inside too. */
  plinkPrefix(p: string): string {
    const abs = this.path(p);
    const prefix = abs.replace(/\.(bed|bim|fam)$/i, '');
    for (const ext of ['.bed', '.bim', '.fam']) this.path(prefix + ext);
    return prefix;
  }

  /** The files and folders of a folder inside the root (default: the root), folders first, by name. */
  list(dir?: string): FolderListing {
    const abs = dir === undefined ? this.root : this.path(dir);
    let st: Stats;
    try {
      st = statSync(abs);
    } catch (e) {
      throw new InputError(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: abs }, 'Check that the folder exists');
    }
    if (!st.isDirectory()) throw new InputError('is not a folder', { file: abs }, 'List a folder');
    let names: string[];
    try {
      names = readdirSync(abs);
    } catch (e) {
      throw new InputError(`cannot be listed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: abs }, 'Check the permissions of the folder');
    }
    const entries: FileEntry[] = [];
    let truncated = 0;
    for (const name of names) {
      const path = join(abs, name);
      let target: Stats;
      try {
        const link = lstatSync(path);
        if (link.isSymbolicLink() && !this.inside(realpathSync(path))) continue;
        target = link.isSymbolicLink() ? statSync(path) : link;
      } catch {
        continue; // vanished, unreadable or a broken link
      }
      const kind = target.isDirectory() ? 'directory' : target.isFile() ? 'file' : undefined;
      if (kind === undefined) continue;
      if (entries.length >= MAX_LISTING) {
        truncated++;
        continue;
      }
      entries.push({ name, path, kind, size: kind === 'file' ? target.size : 0, modifiedAt: target.mtime.toISOString() });
    }
    entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, 'en', { numeric: true }) : a.kind === 'directory' ? -1 : 1));
    const atRoot = this.realOf(abs) === this.root;
    return { root: this.root, dir: abs, parent: atRoot ? null : dirname(abs), entries, truncated };
  }
}
