// A resource polled while the page is open (other people's actions change it): the latest value,
// the latest error, a way to set it (from a local action's answer or a server push), and a refresh
// that polls now. A value set while a poll was on its way wins over that poll's older answer.
// pollMs null loads once (and on refresh): for a resource the server pushes meanwhile.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/http.js';

export interface Polled<T> {
  readonly value: T | null;
  readonly error: unknown;
  set(value: T): void;
  refresh(): void;
}

export function usePolled<T>(url: string | null, pollMs: number | null): Polled<T> {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const sets = useRef(0);
  const set = useCallback((v: T) => {
    sets.current += 1;
    setValue(v);
    setError(null);
  }, []);
  useEffect(() => {
    if (!url) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      const before = sets.current;
      try {
        const v = await api<T>(url);
        if (!stopped && sets.current === before) {
          setValue(v);
          setError(null);
        }
      } catch (err) {
        if (!stopped) setError(err);
      }
      if (!stopped && pollMs !== null) timer = setTimeout(() => void load(), pollMs);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [url, pollMs, tick]);
  return { value, error, set, refresh: () => setTick((n) => n + 1) };
}
