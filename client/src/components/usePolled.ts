// A resource polled while the page is open (other people's actions change it): the latest value,
// the latest error, a way to set it from a local action's answer, and a refresh that polls now.
import { useEffect, useState } from 'react';
import { api } from '../api/http.js';

export interface Polled<T> {
  readonly value: T | null;
  readonly error: unknown;
  set(value: T): void;
  refresh(): void;
}

export function usePolled<T>(url: string | null, pollMs: number): Polled<T> {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!url) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const v = await api<T>(url);
        if (!stopped) {
          setValue(v);
          setError(null);
        }
      } catch (err) {
        if (!stopped) setError(err);
      }
      if (!stopped) timer = setTimeout(() => void load(), pollMs);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [url, pollMs, tick]);
  return { value, error, set: setValue, refresh: () => setTick((n) => n + 1) };
}
