/**
 * Numbers of a SNP as a biologist reads them: p as '3.2 × 10⁻⁸' from its −log10 (p itself may
 * underflow a double), −log10 p to two decimals, an effect as 'beta ± se'.
 */

const SUPERSCRIPT: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻' };

function superscript(n: number): string {
  return String(n).replace(/[-0-9]/g, (c) => SUPERSCRIPT[c]!);
}

/** p from −log10 p: '0.042', '3.2 × 10⁻⁸', '1.0 × 10⁻³⁰⁰', 'p = 0' as '< 10⁻³⁰⁸'. */
export function formatPFromNegLog10(negLog10P: number): string {
  if (Number.isNaN(negLog10P)) return 'not available';
  if (negLog10P === Infinity) return '< 10' + superscript(-308);
  if (negLog10P < 3) return String(Number((10 ** -negLog10P).toPrecision(2)));
  let exponent = Math.floor(-negLog10P);
  let mantissa = Number((10 ** (-negLog10P - exponent)).toFixed(1));
  if (mantissa >= 10) {
    mantissa = 1;
    exponent += 1;
  }
  return `${mantissa.toFixed(1)} × 10${superscript(exponent)}`;
}

/** '7.52' */
export function formatNegLog10(negLog10P: number): string {
  return negLog10P === Infinity ? '> 308' : Number.isFinite(negLog10P) ? negLog10P.toFixed(2) : 'not available';
}

/** '0.213 ± 0.041', with a minus sign; null parts as 'not available'. */
export function formatEffect(beta: number | null, se: number | null): string {
  if (beta === null || !Number.isFinite(beta)) return 'not available';
  const b = Number(beta.toPrecision(3)).toString().replace('-', '−');
  return se === null || !Number.isFinite(se) ? b : `${b} ± ${Number(se.toPrecision(2))}`;
}

/** '12,345,678' */
export function formatPosition(bp: number): string {
  return Math.round(bp).toLocaleString('en-US');
}
