import { useEffect, useRef, useState } from "react";
import { conditional, describe } from "./api";
import type { Board, BoardAnswer, BoardFormat, Section } from "./types";
import { Alert } from "./ui";

const PHONE = "(max-width: 720px)";
// After a change the platform waits a little for more before drawing again: ask this many times
// for a newer board than the one shown before giving up (a board that does not change is fine).
const PATIENCE = 6;

function useFormat(): "social" | "screen" {
  const [phone, setPhone] = useState(() => window.matchMedia(PHONE).matches);
  useEffect(() => {
    const query = window.matchMedia(PHONE);
    const changed = () => setPhone(query.matches);
    query.addEventListener("change", changed);
    return () => query.removeEventListener("change", changed);
  }, []);
  return phone ? "social" : "screen";
}

export function VisionBoard({ customer, change }: { customer: string; change: number }) {
  const [board, setBoard] = useState<Board | null>(null);
  const [drawing, setDrawing] = useState(false);
  const [error, setError] = useState("");
  const shown = useRef<number | null>(null);
  const format = useFormat();

  useEffect(() => {
    let timer = 0;
    let live = true;
    const before = change > 0 ? shown.current : null;
    const poll = async (attempt: number) => {
      try {
        const { status, value, response } = await conditional<BoardAnswer>(
          `customers/${encodeURIComponent(customer)}/vision-board`,
        );
        if (!live) return;
        setError("");
        if (status === 202) {
          if (value.previous && shown.current === null) setBoard(value.previous);
          setDrawing(true);
          const wait = Number(response.headers.get("Retry-After")) || 2;
          timer = window.setTimeout(() => void poll(attempt + 1), wait * 1000);
          return;
        }
        if (before !== null && value.version === before && attempt < PATIENCE) {
          setDrawing(true);
          timer = window.setTimeout(() => void poll(attempt + 1), 2000);
          return;
        }
        shown.current = value.version;
        setBoard(value);
        setDrawing(false);
      } catch (failure) {
        if (!live) return;
        setError(describe(failure));
        setDrawing(false);
      }
    };
    void poll(0);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [customer, change]);

  const layout = board?.layout.formats?.[format];
  return (
    <section className="board-section" aria-labelledby="board-title" aria-busy={drawing}>
      <h2 id="board-title">Your vision board</h2>
      <p className="board-status" role="status">
        {drawing ? (board ? "Drawing your new board… here is your last one meanwhile." : "Drawing your board…") : ""}
      </p>
      <Alert text={error} />
      {board?.status === "failed" && <p>Your board could not be drawn this time.</p>}
      {layout && <Drawn layout={layout} image={board?.images[format] ?? null} version={board!.version} />}
      {!board && !drawing && !error && <p className="loading">Loading your board…</p>}
    </section>
  );
}

/** Lengths of the board as fractions of its width (cqw: the board is a size container); small
print stays at ``least`` pixels where the board is drawn small. */
function across(pixels: number, width: number, least = 0): string {
  const scaled = `${(pixels / width) * 100}cqw`;
  return least ? `max(${least}px, ${scaled})` : scaled;
}

function Drawn({ layout, image, version }: { layout: BoardFormat; image: string | null; version: number }) {
  const { width, height, header } = layout;
  // Beside the tiles (screen) the header stands on a panel of its own colour, as wide as its margins.
  const panel = header.colours.background !== layout.background;
  const stacked = width > height;
  return (
    <div className="board" data-version={version}>
      <div className="board-canvas" style={{ aspectRatio: `${width} / ${height}`, background: layout.background }}>
        {panel && (
          <div
            className="board-panel"
            style={{ ...place({ x: 0, y: 0, w: header.x * 2 + header.w, h: height }, width, height), background: header.colours.background }}
          />
        )}
        <div
          className={`board-header${stacked ? " board-header-stacked" : ""}`}
          style={{ ...place(header, width, height), color: header.colours.text }}
        >
          <p className="board-kicker" style={{ fontSize: across(18, width, 10), color: header.colours.small_text }}>
            {header.kicker}
          </p>
          <h3 className="board-title" style={{ fontSize: across(stacked ? 84 : 76, width) }}>
            {header.title}
          </h3>
          <p className="board-line" style={{ fontSize: across(stacked ? 30 : 26, width, 12), color: header.colours.small_text }}>
            {header.line}
          </p>
        </div>
        <ul className="tiles">
          {layout.sections.map((section, index) => (
            <Tile key={index} section={section} layout={layout} image={image} />
          ))}
        </ul>
      </div>
    </div>
  );
}

function place(box: { x: number; y: number; w: number; h: number }, width: number, height: number) {
  return {
    left: `${(box.x / width) * 100}%`,
    top: `${(box.y / height) * 100}%`,
    width: `${(box.w / width) * 100}%`,
    height: `${(box.h / height) * 100}%`,
  };
}

/** A tile: its photograph cut from the board's picture, or its words set on its colour. */
function Tile({ section, layout, image }: { section: Section; layout: BoardFormat; image: string | null }) {
  const { width, height } = layout;
  const { content, colours, w, h, x, y } = section;
  const photo = content.photo && image !== null;
  const size = Math.min(Math.max(w / 24, 12), 18);
  const style: React.CSSProperties = { ...place(section, width, height), background: colours.background, color: colours.text };
  if (photo) {
    style.backgroundImage = `url("${image}")`;
    style.backgroundSize = `${(width / w) * 100}% ${(height / h) * 100}%`;
    style.backgroundPosition = `${width === w ? 0 : (x / (width - w)) * 100}% ${height === h ? 0 : (y / (height - h)) * 100}%`;
  }
  return (
    <li className={`tile tile-${section.type}${photo ? " tile-photo" : ""}`} style={style} data-skus={(section.skus ?? []).join(" ")}>
      <figure role="img" aria-label={section.alt}>
        {!photo && (
          <figcaption aria-hidden="true">
            <span className="tile-kicker" style={{ fontSize: across(Math.max(12, size * 0.7), width, 8), color: colours.small_text }}>
              {content.kicker}
            </span>
            <span className="tile-title" style={{ fontSize: across(Math.min(Math.max(w / 6.5, 22), 60) * 0.8, width, 12) }}>
              {content.title}
            </span>
            <span className="tile-detail" style={{ fontSize: across(size, width, 10), color: colours.small_text }}>
              {content.detail}
            </span>
          </figcaption>
        )}
      </figure>
    </li>
  );
}
