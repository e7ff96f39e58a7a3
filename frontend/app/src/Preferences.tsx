import { useEffect, useState } from "react";
import { call, describe, json } from "./api";
import { Alert, useTask } from "./ui";
import type { Customer } from "./types";

type Props = { customer: string; announce: (text: string) => void };

/** The attachment's file name, from Content-Disposition. */
function fileName(disposition: string | null, fallback: string): string {
  const match = /filename="?([^";]+)"?/.exec(disposition ?? "");
  return match ? match[1] : fallback;
}

export function Preferences({ customer, announce }: Props) {
  const [data, setData] = useState<Customer | null>(null);
  const { busy, error, setError, run } = useTask();
  const path = `customers/${encodeURIComponent(customer)}`;

  useEffect(() => {
    json<Customer>(path).then(setData, (failure: unknown) => setError(describe(failure)));
  }, [path, setError]);

  const consent = (given: boolean) =>
    run(async () => {
      const saved = await json<Customer>(path, { method: "PATCH", body: JSON.stringify({ marketing_consent: given }) });
      setData(saved);
      announce(given ? "You will get our emails." : "You are unsubscribed: no more marketing emails.");
    });

  const download = () =>
    run(async () => {
      const response = await call(`${path}/export`);
      const link = document.createElement("a");
      link.href = URL.createObjectURL(await response.blob());
      link.download = fileName(response.headers.get("Content-Disposition"), `customer-${customer}.json`);
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(link.href), 1000);
      announce("Your data is downloaded.");
    });

  return (
    <div className="preferences">
      <h1>Preferences</h1>
      <Alert text={error} />
      {data === null && !error && <p className="loading">Loading…</p>}
      {data && (
        <>
          <section className="card" aria-labelledby="email-title">
            <h2 id="email-title">Emails</h2>
            <p>
              {data.name || "You"}
              {data.email && <> · {data.email}</>}
            </p>
            <label className="switch">
              <input
                type="checkbox"
                role="switch"
                checked={data.marketing_consent}
                disabled={busy}
                onChange={(event) => void consent(event.target.checked)}
              />
              Send me picks and offers by email
            </label>
            {data.marketing_consent ? (
              <button type="button" className="danger" disabled={busy} onClick={() => void consent(false)}>
                Unsubscribe from all marketing emails
              </button>
            ) : (
              <p className="muted" id="unsubscribed">
                You are unsubscribed
                {data.unsubscribed_at && <> since {new Date(data.unsubscribed_at).toLocaleDateString("en-GB", { dateStyle: "long" })}</>}.
              </p>
            )}
          </section>
          <section className="card" aria-labelledby="data-title">
            <h2 id="data-title">Your data</h2>
            <p>Everything we hold about you (orders, interests, feedback, emails and more) as one JSON file.</p>
            <button type="button" className="primary" disabled={busy} onClick={() => void download()}>
              Download my data
            </button>
          </section>
        </>
      )}
    </div>
  );
}
