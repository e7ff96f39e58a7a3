// The API's payloads, as far as the app reads them.

export type Me = { username: string; role: "staff" | "customer"; customer: string | null };

export type Customer = {
  external_id: string;
  name: string;
  email: string | null;
  marketing_consent: boolean;
  unsubscribed_at: string | null;
};

export type Recommendation = { sku: string; name: string; category: string | null; reason: string; strategy: string };
export type Recommendations = { items: Recommendation[]; degraded: string[] };

export type FeedbackKind = "not_for_me" | "more_like_this";

export type Colours = { background: string; text: string; small_text?: string };
export type Section = {
  type: "product" | "interest" | "inspiration";
  content: { title: string; kicker: string; detail: string; photo: boolean };
  skus?: string[];
  alt: string;
  x: number;
  y: number;
  w: number;
  h: number;
  colours: Colours;
};
export type BoardFormat = {
  width: number;
  height: number;
  background: string;
  header: { kicker: string; title: string; line: string; x: number; y: number; w: number; h: number; colours: Colours };
  sections: Section[];
};
export type Board = {
  version: number;
  status: string;
  layout: { formats?: Record<string, BoardFormat> };
  images: Record<string, string | null>;
  error: string;
};
export type BoardAnswer = Board & { previous: Board | null };

export type Interest = { interest: string; name: string; source: "declared" | "purchases" | "messages"; confidence: number };
export type Topic = { name: string; slug: string; interests: { key: string; name: string }[] };
export type Page<T> = { results: T[] } | T[];

export function rows<T>(page: Page<T>): T[] {
  return Array.isArray(page) ? page : page.results;
}
