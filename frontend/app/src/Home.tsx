import { useRef, useState } from "react";
import { call, describe } from "./api";
import { VisionBoard } from "./VisionBoard";
import type { FeedbackKind, Recommendation } from "./types";
import type { RecommendationsState } from "./useRecommendations";

type Props = {
  customer: string;
  recommendations: RecommendationsState;
  announce: (text: string) => void;
  boardChange: number;
  onChanged: () => void;
};

const STRATEGY: Record<string, string> = {
  repeat: "Buy again",
  model: "Picked for you",
  neighbours: "Shoppers like you",
  content: "Similar to yours",
  more_like_this: "More like this",
  popular_in_interests: "In your interests",
  trending: "Trending",
  popular: "Popular",
  discovery: "Something new",
};

function label(strategy: string): string {
  return STRATEGY[strategy] ?? (strategy.startsWith("graph") ? "Goes with yours" : "Picked for you");
}

export function Home({ customer, recommendations, announce, boardChange, onChanged }: Props) {
  const { data, error, loading, reload, hide } = recommendations;
  const [undo, setUndo] = useState<Recommendation | null>(null);
  const [problem, setProblem] = useState("");
  const list = useRef<HTMLUListElement>(null);
  const feedback = `customers/${encodeURIComponent(customer)}/feedback`;

  const give = async (item: Recommendation, kind: FeedbackKind, index: number) => {
    setProblem("");
    if (kind === "not_for_me") {
      hide(item.sku);
      setUndo(item);
      // the next card's first button, or the list itself when it was the last
      window.requestAnimationFrame(() => {
        const buttons = list.current?.querySelectorAll<HTMLButtonElement>("button.not-for-me");
        (buttons?.[Math.min(index, buttons.length - 1)] ?? document.getElementById("picks-title"))?.focus();
      });
    }
    try {
      await call(feedback, { method: "POST", body: JSON.stringify({ sku: item.sku, kind }) });
      announce(kind === "not_for_me" ? `${item.name} removed from your picks.` : `More like ${item.name} coming up.`);
      onChanged();
    } catch (failure) {
      setProblem(describe(failure));
      setUndo(null);
    }
    reload();
  };

  const takeBack = async (item: Recommendation) => {
    setProblem("");
    try {
      await call(`${feedback}/${encodeURIComponent(item.sku)}`, { method: "DELETE" });
      setUndo(null);
      announce(`${item.name} can be picked for you again.`);
      onChanged();
      reload();
    } catch (failure) {
      setProblem(describe(failure));
    }
  };

  return (
    <div className="home">
      <section aria-labelledby="picks-title" className="picks">
        <h1 id="picks-title" tabIndex={-1}>
          Picked for you
        </h1>
        {undo && (
          <p className="notice">
            <span>You won’t see {undo.name} here.</span>{" "}
            <button type="button" className="link" onClick={() => void takeBack(undo)}>
              Undo
            </button>
          </p>
        )}
        {(problem || error) && (
          <p className="error" role="alert">
            {problem || error}
          </p>
        )}
        {loading && !data && <p className="loading">Loading your picks…</p>}
        {data && data.items.length === 0 && <p>No picks right now. Come back after your next order.</p>}
        {data && (
          <ul className="cards" ref={list} aria-busy={loading}>
            {data.items.map((item, index) => (
              <li key={item.sku} className="card pick" data-sku={item.sku}>
                <p className="kicker">{label(item.strategy)}</p>
                <h2 id={`pick-${item.sku}`}>{item.name}</h2>
                <p className="reason">{item.reason}</p>
                <p className="sku">Item {item.sku}</p>
                <div className="actions" role="group" aria-labelledby={`pick-${item.sku}`}>
                  <button
                    type="button"
                    className="not-for-me"
                    aria-label={`Not for me: ${item.name}`}
                    onClick={() => void give(item, "not_for_me", index)}
                  >
                    Not for me
                  </button>
                  <button
                    type="button"
                    className="more-like-this"
                    aria-label={`More like this: ${item.name}`}
                    onClick={() => void give(item, "more_like_this", index)}
                  >
                    More like this
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <VisionBoard customer={customer} change={boardChange} />
    </div>
  );
}
