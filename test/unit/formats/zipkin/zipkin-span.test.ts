import { expect, test } from "bun:test";
import type { Warning } from "../../../../src/formats/types.ts";
import { normaliseZipkinSpan } from "../../../../src/formats/zipkin/zipkin-span.ts";

test("a Zipkin span: padded ids, µs times, endpoints, tags, annotations, error status", () => {
  const w: Warning[] = [];
  const s = normaliseZipkinSpan(
    {
      traceId: "a03ee8fff1dcd9b9",
      id: "2",
      parentId: "f5f268651b2a2b34",
      kind: "CLIENT",
      name: "post",
      timestamp: 1571896375322000,
      duration: 14000,
      localEndpoint: { serviceName: "mobile_api", ipv4: "10.0.0.1" },
      remoteEndpoint: { serviceName: "blt", port: 31882 },
      annotations: [{ timestamp: 1571896375323000, value: "ws" }],
      tags: { "http.path": "/visits", error: "timeout" },
    },
    w,
  );
  expect(s.traceId).toBe("0000000000000000a03ee8fff1dcd9b9");
  expect(s.spanId).toBe("0000000000000002");
  expect(s.kind).toBe(3);
  expect(s.service).toBe("mobile_api");
  expect(s.startNs).toBe(1571896375322000000n);
  expect(s.endNs).toBe(1571896375336000000n);
  expect(s.statusCode).toBe(2);
  expect(s.statusMessage).toBe("timeout");
  expect(s.attributes).toContainEqual({ key: "peer.service", value: { stringValue: "blt" } });
  expect(s.attributes).toContainEqual({ key: "net.peer.port", value: { intValue: "31882" } });
  expect(s.attributes).toContainEqual({ key: "net.host.ip", value: { stringValue: "10.0.0.1" } });
  expect(s.events).toEqual([{ timeUnixNano: "1571896375323000000", name: "ws", attributes: [] }]);
  expect(w.map((x) => x.message)).toEqual([
    "traceId a03ee8fff1dcd9b9 is shorter than 16 bytes; left-padded with zeros",
    "id 2 is shorter than 8 bytes; left-padded with zeros",
  ]);
});

test("no duration: kept, no end, marked; unknown kind is an error", () => {
  const w: Warning[] = [];
  const s = normaliseZipkinSpan({ traceId: "463ac35c9f6413ad48485a3953bb6124", id: "a2fb4a1d1a96d312", timestamp: 1 }, w);
  expect(s.endNs).toBeNull();
  expect(s.service).toBeNull();
  expect(w.map((x) => x.message)).toContain("span has no duration; kept without an end time");
  expect(() => normaliseZipkinSpan({ traceId: "463ac35c9f6413ad48485a3953bb6124", id: "a2fb4a1d1a96d312", kind: "SIDEWAYS" }, [])).toThrow(/kind/);
});
