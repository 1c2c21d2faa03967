/**
 * The methods only the desktop app has: its native open and save dialogs. The preload sends them
 * to the main process (ipcRenderer.invoke) instead of the engine; the main process checks the
 * sender frame and validates the params with these schemas before it shows a dialog. In a browser
 * (`kinscan serve`) files are chosen with `files.list` instead.
 */
import { z } from 'zod';

const text = z.string().min(1).max(1000);
const filters = z
  .array(
    z
      .object({
        name: text,
        /** Without the dot: 'bed', 'csv'; '*' for any file. */
        extensions: z.array(z.string().min(1).max(20).regex(/^(\*|[A-Za-z0-9_.-]+)$/)).min(1).max(20),
      })
      .strict(),
  )
  .max(20);

export const dialogMethods = {
  /** Choose existing files (or one folder with `folder`). Cancelled: no paths. */
  'dialog.openFile': {
    params: z
      .object({
        title: text.optional(),
        filters: filters.optional(),
        multiple: z.boolean().optional(),
        folder: z.boolean().optional(),
      })
      .strict(),
    result: z.object({ paths: z.array(z.string()) }),
  },
  /** Choose where to write a file. Cancelled: null. */
  'dialog.saveFile': {
    params: z
      .object({
        title: text.optional(),
        /** A file name (no folders) to start with. */
        defaultName: z
          .string()
          .min(1)
          .max(255)
          .refine((s) => !/[/\\\u0000]/.test(s), { message: 'must be a file name, not a path' })
          .optional(),
        filters: filters.optional(),
      })
      .strict(),
    result: z.object({ path: z.string().nullable() }),
  },
} as const;

export type DialogMethodName = keyof typeof dialogMethods;

export function isDialogMethod(name: string): name is DialogMethodName {
  return Object.prototype.hasOwnProperty.call(dialogMethods, name);
}

/** What the preload sends the main process for one dialog call. */
export const dialogRequestSchema = z
  .object({
    method: z.enum(Object.keys(dialogMethods) as [DialogMethodName, ...DialogMethodName[]]),
    params: z.unknown(),
  })
  .strict();
export type DialogRequest = z.infer<typeof dialogRequestSchema>;
