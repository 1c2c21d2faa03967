/**
 * The bundled Liberation Sans (resources/fonts, the font every exported figure is set in) for the
 * canvas painter. A canvas does not repaint when a web font arrives, so painters await
 * `figureFontsReady()` and paint again. The TTFs are bundled by vite as files of the app ('self'
 * under the CSP); a font that fails to load leaves Arial/Helvetica, which share its metrics.
 */
import regularUrl from '../../../resources/fonts/LiberationSans-Regular.ttf?url';
import boldUrl from '../../../resources/fonts/LiberationSans-Bold.ttf?url';
import italicUrl from '../../../resources/fonts/LiberationSans-Italic.ttf?url';
import { FONT_FAMILY } from '../../../engine/figures/text.js';

let ready: Promise<boolean> | null = null;

/** Load the three faces once; resolves true when all loaded (false: a stand-in font is used). */
export function figureFontsReady(): Promise<boolean> {
  ready ??= Promise.all(
    [
      [regularUrl, { weight: 'normal', style: 'normal' }],
      [boldUrl, { weight: 'bold', style: 'normal' }],
      [italicUrl, { weight: 'normal', style: 'italic' }],
    ].map(async ([url, descriptors]) => {
      const face = new FontFace(FONT_FAMILY, `url(${url as string})`, descriptors as FontFaceDescriptors);
      document.fonts.add(await face.load());
    }),
  ).then(
    () => true,
    () => false,
  );
  return ready;
}
