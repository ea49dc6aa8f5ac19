import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eventsUrl, type AdminEvent } from "../../api/events";
import { EventConnection, type LiveStatus } from "./eventConnection";
import { fakeSockets } from "./fakeSocket";

const epoch = (id: string, n: number): AdminEvent => ({
  id,
  type: "job.epoch",
  at: "2027-03-01T00:00:00Z",
  data: { jobId: "j1", epoch: n, epochs: 4, loss: 1, trainAccuracy: 0.5, validationAccuracy: 0.5, seconds: 1 },
});

function connection() {
  const fake = fakeSockets();
  const events: AdminEvent[] = [];
  const statuses: LiveStatus[] = [];
  const onSessionEnded = vi.fn();
  const onRefused = vi.fn();
  const live = new EventConnection({
    connect: fake.connect,
    url: (since) => eventsUrl(since, { protocol: "https:", host: "admin.example" }),
    onEvent: (event) => events.push(event),
    onStatus: (status) => statuses.push(status),
    onSessionEnded,
    onRefused,
  });
  live.start();
  return { ...fake, live, events, statuses, onSessionEnded, onRefused };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("EventConnection", () => {
  it("opens the socket on the page's origin, and is live from the server's hello", () => {
    const { sockets, statuses, events } = connection();
    expect(sockets[0].url).toBe("wss://admin.example/api/admin/events");
    expect(statuses).toEqual(["connecting"]);
    sockets[0].open();
    sockets[0].send(epoch("e1", 1));
    expect(statuses).toEqual(["connecting", "live"]);
    expect(events.map((e) => e.type)).toEqual(["hello", "job.epoch"]);
  });

  it("reconnects after the last event id seen, waiting 0.5 s doubling to 10 s", () => {
    const { sockets, latest, statuses } = connection();
    latest().open(false, null);
    latest().send(epoch("e7", 1));
    latest().send({ id: null, type: "ping", at: "", data: {} });
    latest().drop(1006);
    expect(statuses.at(-1)).toBe("reconnecting");

    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    expect(latest().since).toBe("e7");

    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      latest().drop(1006);
      const before = sockets.length;
      let waited = 0;
      while (sockets.length === before) {
        vi.advanceTimersByTime(100);
        waited += 100;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(latest().since).toBe("e7");

    latest().open(true);
    latest().drop(1011);
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(9); // greeted: the wait starts over at 0.5 s
  });

  it("reconnects with `since` after the server dropped it as a slow reader (1013)", () => {
    const { latest, sockets } = connection();
    latest().open();
    latest().send(epoch("e3", 1));
    latest().drop(1013, "slow client");
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
    expect(latest().since).toBe("e3");
  });

  it("passes a reconnection the server could not resume on as a resync, and a resumed one not", () => {
    const { latest, events } = connection();
    latest().open(false);
    latest().drop();
    vi.advanceTimersByTime(500);
    latest().open(true);
    expect(events.map((e) => e.type)).toEqual(["hello", "hello"]);
    latest().drop();
    vi.advanceTimersByTime(500);
    latest().open(false);
    expect(events.map((e) => e.type)).toEqual(["hello", "hello", "hello", "resync"]);
  });

  it("is live when the server greets with a resync in place of a hello (`since` too old)", () => {
    const { latest, statuses, events, sockets } = connection();
    latest().open();
    latest().send(epoch("e1", 1));
    latest().drop();
    vi.advanceTimersByTime(500);
    latest().send({ id: null, type: "resync", at: "", data: {} });
    expect(statuses.at(-1)).toBe("live");
    expect(events.map((e) => e.type)).toEqual(["hello", "job.epoch", "resync"]);
    latest().drop();
    vi.advanceTimersByTime(500); // greeted: the wait starts over
    expect(sockets).toHaveLength(3);
  });

  it("ends the session on 4401 and stops trying", () => {
    const { latest, sockets, statuses, onSessionEnded } = connection();
    latest().open();
    latest().drop(4401, "session ended");
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
    expect(statuses.at(-1)).toBe("offline");
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it("does not try again after 4403 (a foreign origin)", () => {
    const { latest, sockets, statuses, onSessionEnded } = connection();
    latest().drop(4403);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(statuses.at(-1)).toBe("offline");
    expect(onSessionEnded).not.toHaveBeenCalled();
  });

  it("asks whether the session ended when sockets keep closing before their hello", () => {
    const { latest, onRefused } = connection();
    latest().drop(1006);
    expect(onRefused).not.toHaveBeenCalled();
    vi.advanceTimersByTime(500);
    latest().drop(1006);
    expect(onRefused).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    latest().drop(1006);
    expect(onRefused).toHaveBeenCalledTimes(1);
  });

  it("closes the socket and stops trying when stopped", () => {
    const { latest, sockets, live } = connection();
    latest().open();
    const socket = latest();
    live.stop();
    expect(socket.closedByClient).toBe(1000);
    socket.drop(1006);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });
});
