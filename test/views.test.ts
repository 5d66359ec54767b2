/**
 * The views as DOM, parsed by happy-dom (a Window per file, never a global
 * preload: its fetch and Request would break the servers other files start).
 * The real browser tests cover behaviour; these pin the markup contract the
 * streams and htmx rely on, for every job state.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Window } from "happy-dom";
import type { PublicJob } from "../src/routes/public-job.ts";
import { GoneCard, JobCard, JobCardActions, JobCardBody } from "../views/job-card.tsx";
import { JobRow, JobRowCells, NewJobRows } from "../views/job-row.tsx";
import { JobsPage } from "../views/jobs-page.tsx";
import { JobPage } from "../views/job-page.tsx";

const window = new Window();
afterAll(() => window.happyDOM.close());

function parse(html: string) {
  const doc = window.document;
  const template = doc.createElement("template");
  template.innerHTML = html;
  return template.content;
}

const NAME = `<img src=x onerror=alert(1)> "quoted" & more`;
const ID = "01a22088-e512-73e3-aacc-286d0391adff";

function job(over: Partial<PublicJob>): PublicJob {
  return {
    id: ID,
    kind: "import",
    status: "running",
    progress: 42,
    state: { status: "running", progress: 42, phase: "importing", bytesDone: 42 << 20, bytesTotal: 100 << 20, spans: 12345, rate: 6789, eta: 75 },
    result: null,
    error: null,
    details: null,
    attempts: 1,
    createdAt: "2026-11-28T05:00:00.000Z",
    updatedAt: "2026-11-28T05:00:01.000Z",
    startedAt: "2026-11-28T05:00:00.500Z",
    finishedAt: null,
    input: { name: NAME, size: 100 << 20, format: "auto" },
    options: {},
    ...over,
  };
}

const RESULT = {
  format: "otlp-jsonl",
  gzip: false,
  bytes: 1024,
  spans: 20,
  inserted: 19,
  duplicates: 1,
  traces: 3,
  errors: 1,
  warnings: 0,
  services: [`<b>svc</b>`],
  samples: [{ line: 7, message: `bad <script>` }],
  warningSamples: [],
};

describe("job card", () => {
  test("live: one SSE connection, closed by the `end` event, swapping the body only", () => {
    const card = parse(JobCard({ job: job({}), mode: "live" })).querySelector("section.job-card")!;
    expect(card.getAttribute("hx-ext")).toBe("sse");
    expect(card.getAttribute("sse-connect")).toBe(`/jobs/${ID}/events`);
    expect(card.getAttribute("sse-close")).toBe("end");
    const body = card.querySelector("[sse-swap]")!;
    expect(body.getAttribute("sse-swap")).toBe("job");
    expect(body.getAttribute("hx-swap")).toBe("innerHTML");
    // The buttons are outside what the stream replaces.
    expect(body.querySelector("button")).toBeNull();
    expect(card.querySelector(`#job-${ID}-actions button`)!.textContent!.trim()).toBe("Cancel");
  });

  test("running: bar and percent, phase, bytes, spans, rate and ETA; the name as text", () => {
    const body = parse(JobCardBody({ job: job({}) }));
    expect(body.querySelector("progress")!.getAttribute("value")).toBe("42");
    expect(body.querySelector("progress")!.getAttribute("max")).toBe("100");
    expect(body.querySelector(".pct")!.textContent).toBe("42%");
    expect(body.querySelector(".phase")!.textContent).toBe("Importing · 42 MiB of 100 MiB");
    expect(body.querySelector(".spans")!.textContent).toBe("12,345");
    expect(body.querySelector(".rate")!.textContent).toBe("6,789/s");
    expect(body.querySelector(".eta")!.textContent).toBe("1 min 15 s");
    expect(body.querySelector("h3")!.textContent).toBe(NAME);
    expect(body.querySelector("img")).toBeNull();
  });

  test("completed: the report, with services and error samples as text, and the traces link", () => {
    const done = job({ status: "completed", progress: 100, state: null, result: RESULT });
    const card = parse(JobCard({ job: done, mode: "live" })).querySelector("section")!;
    // A finished job's card holds no connection.
    expect(card.getAttribute("sse-connect")).toBeNull();
    expect(card.querySelector(".pct")!.textContent).toBe("100%");
    expect(card.querySelector(".inserted")!.textContent).toBe("19");
    expect(card.querySelector(".duplicates")!.textContent).toBe("1");
    expect(card.querySelector(".services a")!.textContent).toBe("<b>svc</b>");
    expect(card.querySelector(".errors-table td")!.textContent).toBe("line 7");
    expect(card.querySelectorAll(".errors-table td")[1]!.textContent).toBe("bad <script>");
    expect(card.querySelector("b, script")).toBeNull();
    expect(card.querySelector(`a[href="/traces?job=${ID}"]`)).not.toBeNull();
    expect(card.querySelector(`#job-${ID}-actions`)!.children.length).toBe(0);
  });

  test("completed from a framed stream: what was detected, and problems by message and byte offset", () => {
    const result = {
      ...RESULT,
      format: "otlp-proto-stream",
      compression: null,
      detected: "OTLP length-prefixed messages, 3 messages (3 protobuf), each zstd-compressed <i>",
      samples: [{ messageNumber: 2, offset: 1042, path: "$.resourceSpans[0]", message: "malformed protobuf" }],
    };
    const card = parse(JobCard({ job: job({ status: "completed", progress: 100, state: null, result }), mode: "static" }));
    expect(card.querySelector(".format")!.textContent!.trim()).toBe(result.detected);
    expect(card.querySelector(".format")!.getAttribute("title")).toBe("otlp-proto-stream");
    expect(card.querySelector("i")).toBeNull();
    expect(card.querySelector(".errors-table td")!.textContent).toBe("message 2 (byte 1042), $.resourceSpans[0]");
    // A result stored before `detected` existed still names its format.
    const old = parse(JobCard({ job: job({ status: "completed", progress: 100, state: null, result: { ...RESULT, gzip: true } }), mode: "static" }));
    expect(old.querySelector(".format")!.textContent!.trim()).toBe("otlp-jsonl (gzip)");
  });

  test("failed and cancelled: the reason, and Retry in the actions", () => {
    const failed = parse(JobCard({ job: job({ status: "failed", error: "Invalid JSON at line 3", details: "near <x>" }), mode: "static" }));
    expect(failed.querySelector(".outcome")!.textContent).toBe("Invalid JSON at line 3");
    expect(failed.querySelector("pre.details")!.textContent).toBe("near <x>");
    expect(failed.querySelector(".job-actions button")!.textContent!.trim()).toBe("Retry");
    const cancelled = parse(JobCard({ job: job({ status: "cancelled" }), mode: "static" }));
    expect(cancelled.querySelector(".outcome")!.textContent!.trim()).toBe("Cancelled. Nothing from this file was kept.");
    expect(cancelled.querySelector(".job-actions form")!.getAttribute("hx-target")).toBe(`#job-${ID}`);
  });

  test("poll mode re-fetches itself every few seconds; a gone job's card is static", () => {
    const card = parse(JobCard({ job: job({}), mode: "poll" })).querySelector("section")!;
    expect(card.getAttribute("hx-get")).toBe(`/jobs/${ID}/card?mode=poll`);
    expect(card.getAttribute("hx-trigger")).toBe("every 3s");
    expect(card.getAttribute("hx-swap")).toBe("outerHTML");
    expect(parse(GoneCard({ id: ID })).querySelector("section")!.getAttribute("hx-get")).toBeNull();
    expect(parse(JobCardActions({ job: job({}), oob: true })).querySelector("div")!.getAttribute("hx-swap-oob")).toBe("true");
  });
});

describe("jobs table", () => {
  test("a row and its out-of-band cells carry ids the stream can target", () => {
    const row = parse(`<table><tbody>${JobRow({ job: job({}), oob: true })}</tbody></table>`).querySelector("tr")!;
    expect(row.id).toBe(`job-row-${ID}`);
    expect(row.getAttribute("hx-swap-oob")).toBe("true");
    expect(row.querySelector("td.name")!.textContent!.trim()).toBe(NAME);
    const cells = parse(`<table><tbody><tr>${JobRowCells({ job: job({}) })}</tr></tbody></table>`).querySelectorAll("td");
    expect([...cells].map((c) => c.id)).toEqual([`job-row-${ID}-status`, `job-row-${ID}-progress`, `job-row-${ID}-spans`]);
    expect([...cells].every((c) => c.getAttribute("hx-swap-oob") === "true")).toBe(true);
    expect([...cells].some((c) => c.querySelector("button"))).toBe(false);
  });

  test("new jobs replace #new-job-rows whole, so a repeated push is harmless", () => {
    const tbody = parse(`<table>${NewJobRows({ jobs: [job({})] })}</table>`).querySelector("tbody")!;
    expect(tbody.id).toBe("new-job-rows");
    expect(tbody.getAttribute("hx-swap-oob")).toBe("true");
  });

  test("the page holds one SSE connection that watches its rows and newer jobs", () => {
    const page = parse(JobsPage({ jobs: [job({})], status: null, nextCursor: null, firstPage: true }));
    const streams = page.querySelectorAll("[sse-connect]");
    expect(streams.length).toBe(1);
    const url = new URL(streams[0]!.getAttribute("sse-connect")!, "http://x.test");
    expect(url.pathname).toBe("/jobs/events");
    expect(url.searchParams.get("ids")).toBe(ID);
    expect(url.searchParams.get("after")).toBe(ID);
    expect(page.querySelector("[sse-swap=rows]")!.getAttribute("hx-swap")).toBe("none");
    const filtered = parse(JobsPage({ jobs: [job({})], status: "running", nextCursor: ID, firstPage: true }));
    expect(new URL(filtered.querySelector("[sse-connect]")!.getAttribute("sse-connect")!, "http://x.test").searchParams.has("after")).toBe(false);
    expect(filtered.querySelector("a[rel=next]")!.getAttribute("href")).toBe(`/jobs?status=running&cursor=${ID}`);
  });
});

test("the job page refreshes itself only without JavaScript, and only while the job runs", () => {
  const running = parse(JobPage({ job: job({}) }));
  const noscript = [...running.querySelectorAll("noscript")].map((n) => n.innerHTML).join("");
  expect(noscript).toContain('http-equiv="refresh"');
  const done = parse(JobPage({ job: job({ status: "completed", progress: 100, result: RESULT }) }));
  expect([...done.querySelectorAll("noscript")].map((n) => n.innerHTML).join("")).not.toContain("refresh");
});

test("the import form offers exactly the formats the API accepts", async () => {
  const { FORMAT_CHOICES } = await import("../views/layout.tsx");
  const { FORMAT_OPTIONS } = await import("../src/formats/registry.ts");
  expect(FORMAT_CHOICES.map(([id]) => id).sort()).toEqual([...FORMAT_OPTIONS].sort());
});
