import { useCallback, useEffect, useState } from "react";
import { ApiError, conditional, describe } from "./api";
import type { Recommendations } from "./types";

export type RecommendationsState = {
  data: Recommendations | null;
  error: string;
  loading: boolean;
  reload: () => void;
  hide: (sku: string) => void;
};

// Over the rate limit the list is asked for again once the server's Retry-After has passed.
const LONGEST_WAIT = 60;

/** The customer's recommendations, asked again with their ETag (a 304 keeps what is shown). */
export function useRecommendations(customer: string): RecommendationsState {
  const [data, setData] = useState<Recommendations | null>(null);
  const [error, setError] = useState("");
  const [loading, setLoading] = useState(true);
  const [asked, setAsked] = useState(0);

  useEffect(() => {
    let live = true;
    let retry = 0;
    setLoading(true);
    conditional<Recommendations>(`customers/${encodeURIComponent(customer)}/recommendations?limit=9`)
      .then(({ value }) => {
        if (!live) return;
        setData(value);
        setError("");
      })
      .catch((failure: unknown) => {
        if (!live) return;
        setError(describe(failure));
        if (failure instanceof ApiError && failure.status === 429 && failure.retryAfter !== null) {
          retry = window.setTimeout(() => setAsked((count) => count + 1), Math.min(failure.retryAfter, LONGEST_WAIT) * 1000);
        }
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
      window.clearTimeout(retry);
    };
  }, [customer, asked]);

  const reload = useCallback(() => setAsked((count) => count + 1), []);
  const hide = useCallback(
    (sku: string) => setData((shown) => shown && { ...shown, items: shown.items.filter((item) => item.sku !== sku) }),
    [],
  );
  return { data, error, loading, reload, hide };
}
