/**
 * Loading one API answer for a component: the data, the error as the
 * operator should read it, and a reload. An answer that comes after the
 * component left (or after a newer request) is dropped.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

export const messageOf = (err: unknown): string => (err instanceof ApiError ? err.message : String(err));

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => live && (setData(d), setError(null)),
      (err: unknown) => live && setError(messageOf(err)),
    );
    return () => void (live = false);
  }, [...deps, version]);
  return { data, error, reload: () => setVersion((v) => v + 1) };
}
