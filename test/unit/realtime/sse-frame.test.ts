import { describe, expect, test } from "bun:test";
import { encodeSseComment, formatSseFrame, SseFrameError } from "../../../src/realtime/sse-frame.ts";

describe("formatSseFrame", () => {
  test("writes event, id and data, ending with a blank line", () => {
    expect(formatSseFrame({ event: "progress", id: 7, data: '{"a":1}' })).toBe('id: 7\nevent: progress\ndata: {"a":1}\n\n');
  });

  test("puts retry first when given", () => {
    expect(formatSseFrame({ retry: 3000, id: "1", data: "x" })).toBe("retry: 3000\nid: 1\ndata: x\n\n");
  });

  test("splits multi-line data into one data: line each, for every line ending", () => {
    expect(formatSseFrame({ data: "a\nb\r\nc\rd" })).toBe("data: a\ndata: b\ndata: c\ndata: d\n\n");
  });

  test("keeps empty lines of data as empty data fields", () => {
    expect(formatSseFrame({ data: "a\n\nb" })).toBe("data: a\ndata: \ndata: b\n\n");
  });

  test("an empty payload still has a data line (browsers drop events without one)", () => {
    expect(formatSseFrame({ event: "close", data: "" })).toBe("event: close\ndata: \n\n");
  });

  test("rejects CR and LF in event and id", () => {
    expect(() => formatSseFrame({ event: "a\nb", data: "" })).toThrow(SseFrameError);
    expect(() => formatSseFrame({ event: "a\rdata: x", data: "" })).toThrow(SseFrameError);
    expect(() => formatSseFrame({ id: "1\n2", data: "" })).toThrow(SseFrameError);
  });

  test("rejects a negative or fractional retry", () => {
    expect(() => formatSseFrame({ retry: -1, data: "" })).toThrow(SseFrameError);
    expect(() => formatSseFrame({ retry: 1.5, data: "" })).toThrow(SseFrameError);
  });
});

test("comments are single lines", () => {
  expect(new TextDecoder().decode(encodeSseComment("heartbeat"))).toBe(": heartbeat\n\n");
  expect(() => encodeSseComment("a\nb")).toThrow(SseFrameError);
});
