/**
 * The recently opened projects of one user: a small JSON file (newest first, at most MAX_RECENT),
 * rewritten through a temporary file on every open. A missing or damaged file is an empty list,
 * never an error: it is a convenience, not data.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../io/atomic-write.js';

export const MAX_RECENT = 20;

const fileSchema = z.object({
  version: z.literal(1),
  projects: z.array(z.object({ path: z.string().min(1).max(4096), openedAt: z.string().max(100) })).max(1000),
});

export interface RecentProject {
  path: string;
  openedAt: string;
  exists: boolean;
}

export class RecentProjects {
  constructor(private readonly file: string) {}

  private read(): { path: string; openedAt: string }[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = fileSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data.projects : [];
    } catch {
      return [];
    }
  }

  list(): RecentProject[] {
    return this.read().map((p) => ({ ...p, exists: existsSync(p.path) }));
  }

  /** Put `path` first. A failure to write (read-only home...) is ignored. */
  add(path: string, at = new Date()): void {
    const abs = resolve(path);
    const projects = [{ path: abs, openedAt: at.toISOString() }, ...this.read().filter((p) => p.path !== abs)].slice(0, MAX_RECENT);
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileAtomic(this.file, JSON.stringify({ version: 1, projects }, null, 2) + '\n');
    } catch {
      // The list is a convenience: a folder that cannot be written loses it, nothing else.
    }
  }
}
