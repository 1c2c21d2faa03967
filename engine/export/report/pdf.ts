/**
 * The report printed to PDF by a headless Chromium driven through playwright-core: the system's
 * browser (KINSCAN_CHROMIUM, else Debian's /usr/bin/chromium and the usual other places), never a
 * browser playwright would download. The page runs without JavaScript and with every network
 * request refused; A4 with the report's margins, backgrounds printed, a page footer, the document
 * outline and tags. The browser is always closed. (The desktop app prints with Electron instead.)
 */
import { existsSync } from 'node:fs';
import { writeThroughTemporary } from '../../io/atomic-write.js';
import { InputError } from '../../io/errors.js';
import { escapeHtml } from './markup.js';

/** Where Chromium is looked for, in order, after the KINSCAN_CHROMIUM environment variable. */
export const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The report's page margins (the same as its CSS @page rule). */
export const PDF_MARGIN = { top: '15mm', right: '14mm', bottom: '17mm', left: '14mm' };

export interface PrintOptions {
  /** Text of the page footer, left of the page number (e.g. 'Kinscan run 3 · trait1'). */
  footer?: string;
  /** The browser to use (default: KINSCAN_CHROMIUM, then CHROMIUM_PATHS). */
  executablePath?: string;
}

/** The Chromium executable to print with; an InputError saying what to install when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, paths: readonly string[] = CHROMIUM_PATHS): string {
  const fromEnv = env['KINSCAN_CHROMIUM'];
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new InputError('names no browser that exists', { file: fromEnv }, 'Set KINSCAN_CHROMIUM to the path of a Chromium or Chrome executable, or unset it');
  }
  for (const p of paths) if (existsSync(p)) return p;
  throw new InputError(
    `a PDF report is printed by Chromium, and none was found (looked in ${paths.join(', ')})`,
    {},
    'Install it (Debian/Ubuntu: apt-get install chromium), or set KINSCAN_CHROMIUM to a Chromium or Chrome executable; the HTML report (--out FILE.html) needs no browser',
  );
}

function footerTemplate(text: string | undefined): string {
  const left = text ? `${escapeHtml(text)} · ` : '';
  return (
    '<div style="width:100%;font-family:\'Liberation Sans\',Arial,Helvetica,sans-serif;font-size:7.5pt;color:#666;padding:0 14mm;text-align:right;">' +
    `${left}page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`
  );
}

/** Print the HTML to `out` as an A4 PDF (written to a temporary file, renamed when complete). */
export async function printReportPdf(html: string, out: string, opts: PrintOptions = {}): Promise<void> {
  const executablePath = opts.executablePath ?? findChromium();
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch (e) {
    throw new InputError(`cannot load playwright-core (${(e as Error).message})`, {}, 'Reinstall kinscan (npm ci) so that playwright-core is there, or write the report as HTML');
  }
  const browser = await playwright.chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    // A report refers to nothing outside itself; refuse any request that would leave the page.
    await context.route(/^(?!data:)/, (route) => route.abort());
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    await writeThroughTemporary(out, async (tmp) => {
      await page.pdf({
      path: tmp,
      // ISO A4 exactly (playwright's format 'A4' is 8.27 x 11.7 in, 0.6 mm taller).
      width: '210mm',
      height: '297mm',
      printBackground: true,
      margin: PDF_MARGIN,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: footerTemplate(opts.footer),
      outline: true,
      tagged: true,
      });
    });
  } finally {
    await browser.close();
  }
}
