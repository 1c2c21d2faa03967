/**
 * The secret of `kinscan serve`: a random 128-bit token printed in the URL (as Jupyter does), and
 * its comparison in constant time (both sides hashed first, so neither length nor content leaks
 * through timing).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 128 random bits as 32 hex digits. */
export function newToken(): string {
  return randomBytes(16).toString('hex');
}

/** Whether `candidate` is the token; constant time in both. */
export function tokenMatches(candidate: string, token: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(candidate), digest(token));
}
