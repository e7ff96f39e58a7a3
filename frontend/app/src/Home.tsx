import { useLayoutEffect, useRef, useState } from "react";
import { call, describe } from "./api";
import { VisionBoard } from "./VisionBoard";
import type { FeedbackKind, Recommendation } from "./types";
import type { RecommendationsState } from "./useRecommendations";
import { Alert } from "./ui";

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
  companions: "Goes with yours",
  content: "Similar to yours",
  more_like_this: "More like this",
  popular_in_interests: "In your interests",
  trending: "Trending",
  popular: "Popular",
  discovery: "Something new",
};

const FEEDBACK: [FeedbackKind, string][] = [
  ["not_for_me", "Not for me"],
  ["more_like_this", "More like this"],
];

/** The catalogue's names are capitals ("JUMBO BAG RED"): lower case, which the card capitalises. */
function readable(name: string): string {
  return name === name.toUpperCase() ? name.toLowerCase() : name;
}

function label(strategy: string): string {
  return STRATEGY[strategy] ?? (strategy.startsWith("graph") ? "Goes with yours" : "Picked for you");
}

export function Home({ customer, recommendations, announce, boardChange, onChanged }: Props) {
  const { data, error, loading, reload, hide } = recommendations;
  const [undo, setUndo] = useState<Recommendation | null>(null);
  const [problem, setProblem] = useState("");
  const list = useRef<HTMLUListElement>(null);
  const feedback = `customers/${encodeURIComponent(customer)}/feedback`;
  // Where the keyboard's focus goes once a refused pick has left the list: the next card's
  // button, or the list's title after the last card. Moved in the commit that removes the
  // card, so the focus is never left on the page in between.
  const focusAfterHide = useRef<number | null>(null);
  useLayoutEffect(() => {
    const index = focusAfterHide.current;
    if (index === null) return;
    focusAfterHide.current = null;
    const buttons = list.current?.querySelectorAll<HTMLButtonElement>("button.not-for-me");
    (buttons?.[Math.min(index, buttons.length - 1)] ?? document.getElementById("picks-title"))?.focus();
  }, [data]);

  const give = async (item: Recommendation, kind: FeedbackKind, index: number) => {
    setProblem("");
    if (kind === "not_for_me") {
      focusAfterHide.current = index;
      hide(item.sku);
      setUndo(item);
    }
    try {
      await call(feedback, { method: "POST", body: JSON.stringify({ sku: item.sku, kind }) });
      announce(kind === "not_for_me" ? `${readable(item.name)} removed from your picks.` : `More like ${readable(item.name)} coming up.`);
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
      announce(`${readable(item.name)} can be picked for you again.`);
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
            <span>You won’t see {readable(undo.name)} here.</span>{" "}
            <button type="button" className="link" onClick={() => void takeBack(undo)}>
              Undo
            </button>
          </p>
        )}
        <Alert text={problem || error} />
        {loading && !data && <p className="loading">Loading your picks…</p>}
        {data && data.items.length === 0 && <p>No picks right now. Come back after your next order.</p>}
        {data && (
          <ul className="cards" ref={list} aria-busy={loading}>
            {data.items.map((item, index) => (
              <li key={item.sku} className="card pick" data-sku={item.sku}>
                <p className="kicker">{label(item.strategy)}</p>
                <h2 id={`pick-${item.sku}`}>{readable(item.name)}</h2>
                <p className="reason">{item.reason}</p>
                <p className="sku">Item {item.sku}</p>
                <div className="actions" role="group" aria-labelledby={`pick-${item.sku}`}>
                  {FEEDBACK.map(([kind, words]) => (
                    <button
                      key={kind}
                      type="button"
                      className={kind.replaceAll("_", "-")}
                      aria-label={`${words}: ${readable(item.name)}`}
                      onClick={() => void give(item, kind, index)}
                    >
                      {words}
                    </button>
                  ))}
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
