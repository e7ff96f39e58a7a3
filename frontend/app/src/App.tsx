import { useCallback, useEffect, useState } from "react";
import { describe, hasSession, json, signOut, whenSignedOut } from "./api";
import { Home } from "./Home";
import { Interests } from "./Interests";
import { Preferences } from "./Preferences";
import { SignIn } from "./SignIn";
import { useRecommendations } from "./useRecommendations";
import type { Me } from "./types";
import { Alert } from "./ui";

const PAGES = [
  { path: "/app/", title: "Your picks" },
  { path: "/app/interests", title: "Your interests" },
  { path: "/app/preferences", title: "Preferences" },
] as const;
type Path = (typeof PAGES)[number]["path"];

/** The page for the address: its path without a trailing slash; anything else under /app/ is home. */
function current(): Path {
  const here = window.location.pathname.replace(/\/+$/, "");
  return PAGES.find((page) => page.path.replace(/\/+$/, "") === here)?.path ?? "/app/";
}

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(hasSession());
  const [path, setPath] = useState<Path>(current());
  const [announcement, setAnnouncement] = useState("");
  const [error, setError] = useState("");

  const announce = useCallback((text: string) => setAnnouncement(text), []);

  useEffect(() => {
    whenSignedOut(() => {
      setMe(null);
      setError("Your session ended: please sign in again.");
    });
    const moved = () => setPath(current());
    window.addEventListener("popstate", moved);
    return () => window.removeEventListener("popstate", moved);
  }, []);

  const start = useCallback(async () => {
    setChecking(true);
    try {
      const who = await json<Me>("auth/me");
      if (who.customer === null) {
        await signOut();
        setError("This page is for customers: sign in with your customer account.");
      } else {
        setMe(who);
        setError("");
      }
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    if (hasSession()) void start();
  }, [start]);

  useEffect(() => {
    const page = PAGES.find((item) => item.path === path);
    document.title = `${page?.title ?? "Your picks"} · Your shop`;
  }, [path]);

  const go = (to: Path) => (event: React.MouseEvent) => {
    event.preventDefault();
    window.history.pushState(null, "", to);
    setPath(to);
    document.getElementById("main")?.focus();
  };

  const leave = async () => {
    await signOut();
    setMe(null);
    announce("You are signed out.");
  };

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="bar">
        <span className="brand">Your shop</span>
        {me && (
          <nav aria-label="Your account">
            <ul>
              {PAGES.map((page) => (
                <li key={page.path}>
                  <a href={page.path} onClick={go(page.path)} aria-current={page.path === path ? "page" : undefined}>
                    {page.title}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {me && (
          <button type="button" className="quiet" onClick={() => void leave()}>
            Sign out
          </button>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Alert text={error} />
        {me?.customer ? (
          <Signed customer={me.customer} path={path} announce={announce} />
        ) : checking ? (
          <p className="loading">Loading…</p>
        ) : (
          <SignIn onSignedIn={start} />
        )}
      </main>
      <div className="live" role="status" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
    </>
  );
}

function Signed({ customer, path, announce }: { customer: string; path: Path; announce: (text: string) => void }) {
  const recommendations = useRecommendations(customer);
  // Bumped after feedback or an interests change: the board is asked for again, and polled
  // while the platform draws the new one (it waits a little for further changes first).
  const [boardChange, setBoardChange] = useState(0);
  const changed = useCallback(() => setBoardChange((count) => count + 1), []);
  const interestsSaved = () => {
    recommendations.reload();
    changed();
  };
  if (path === "/app/interests") return <Interests customer={customer} announce={announce} onSaved={interestsSaved} />;
  if (path === "/app/preferences") return <Preferences customer={customer} announce={announce} />;
  return <Home customer={customer} recommendations={recommendations} announce={announce} boardChange={boardChange} onChanged={changed} />;
}
