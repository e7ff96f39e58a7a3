import { useEffect, useState } from "react";
import { call, describe, json } from "./api";
import { Alert, useTask } from "./ui";
import { rows, type Interest, type Page, type Topic } from "./types";

const SOURCE: Record<Interest["source"], string> = {
  declared: "You told us",
  purchases: "From your orders",
  messages: "From your messages",
};

type Props = { customer: string; announce: (text: string) => void; onSaved: () => void };

export function Interests({ customer, announce, onSaved }: Props) {
  const [current, setCurrent] = useState<Interest[] | null>(null);
  const [topics, setTopics] = useState<Topic[] | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const { busy: saving, error, setError, run } = useTask();
  const [asked, setAsked] = useState(0);
  const id = encodeURIComponent(customer);

  useEffect(() => {
    let live = true;
    Promise.all([
      json<Page<Interest>>(`interests?customer=${id}&page_size=200`),
      json<Page<Topic>>("interest-topics?page_size=200"),
      json<{ interests: { interest: string }[] }>(`customers/${id}/interests/declared`),
    ])
      .then(([interests, taxonomy, declared]) => {
        if (!live) return;
        setCurrent(rows(interests));
        setTopics(rows(taxonomy));
        setChosen(new Set(declared.interests.map((item) => item.interest)));
      })
      .catch((failure: unknown) => live && setError(describe(failure)));
    return () => {
      live = false;
    };
  }, [id, asked, setError]);

  const toggle = (key: string) =>
    setChosen((keys) => {
      const next = new Set(keys);
      if (!next.delete(key)) next.add(key);
      return next;
    });

  const save = (event: React.FormEvent) => {
    event.preventDefault();
    return run(async () => {
      await call(`customers/${id}/interests/declared`, {
        method: "PUT",
        body: JSON.stringify({ interests: [...chosen].sort() }),
      });
      announce("Your interests are saved. Your picks and board are being updated.");
      onSaved();
      setAsked((count) => count + 1);
    });
  };

  return (
    <div className="interests">
      <h1>Your interests</h1>
      <Alert text={error} />
      <section className="card" aria-labelledby="current-title">
        <h2 id="current-title">What we think you like</h2>
        {current === null ? (
          <p className="loading">Loading…</p>
        ) : current.length === 0 ? (
          <p>Nothing yet: tell us below.</p>
        ) : (
          <ul className="chips">
            {current.map((item) => (
              <li key={`${item.source}-${item.interest}`} className={`chip chip-${item.source}`}>
                {item.name} <span className="chip-source">{SOURCE[item.source]}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <form className="card" onSubmit={(event) => void save(event)} aria-labelledby="declare-title">
        <h2 id="declare-title">Tell us what you like</h2>
        <p>Your choices shape your picks and your vision board.</p>
        {topics === null && <p className="loading">Loading…</p>}
        {topics?.map((topic) => (
          <fieldset key={topic.slug}>
            <legend>{topic.name}</legend>
            <div className="choices">
              {topic.interests.map((interest) => (
                <label key={interest.key} className="choice">
                  <input
                    type="checkbox"
                    name="interests"
                    value={interest.key}
                    checked={chosen.has(interest.key)}
                    onChange={() => toggle(interest.key)}
                  />
                  {interest.name}
                </label>
              ))}
            </div>
          </fieldset>
        ))}
        <button type="submit" className="primary" disabled={saving || topics === null}>
          {saving ? "Saving…" : "Save my interests"}
        </button>
      </form>
    </div>
  );
}
