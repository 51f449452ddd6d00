/**
 * hotRead: reading `secrets.X` from the object loadSecrets returns — static, and refreshing
 * (getters over values the refresher replaces) — against reading a plain object's property
 * (tinybench, in process, after the load).
 */
import { Bench } from "tinybench";
import { z } from "zod";
import { close, loadSecrets } from "../../src/runtime/index.ts";
import { defineSecrets, secret } from "../../src/schema/index.ts";
import type { BenchCase } from "../lib/result.ts";
import { median, ratio, round } from "../lib/stats.ts";

const READS_PER_SAMPLE = 10_000;
const KEY = "hotRead";

const schema = defineSecrets({
  API_KEY: secret(z.string().min(8)),
  PORT: z.coerce.number().int(),
});
type Values = { readonly API_KEY: string; readonly PORT: number };

export const hotRead: BenchCase = {
  name: KEY,
  async run({ quick }) {
    const options = { env: { API_KEY: "bench-api-key", PORT: "8080" }, production: false, dockerDir: "/nonexistent/bench" };
    const objects: Record<string, Values> = {
      secrets: await loadSecrets<Values>(schema, options),
      // An interval that never fires during the bench: only the read path is measured.
      refreshing: await loadSecrets<Values>(schema, { ...options, refresh: { intervalMs: 3_600_000 } }),
    };
    objects.plain = { API_KEY: objects.secrets!.API_KEY, PORT: objects.secrets!.PORT };
    try {
      // Several short benches, the order of tasks rotating, so drift on a shared machine hits all alike.
      const samples: Record<string, number[]> = { secrets: [], refreshing: [], plain: [] };
      const rounds = quick ? 1 : 5;
      for (let r = 0; r < rounds; r++) {
        const names = Object.keys(samples);
        const order = [...names.slice(r % names.length), ...names.slice(0, r % names.length)];
        const perRead = await nsPerRead(order.map((name) => [name, objects[name]!]), quick);
        for (const [name, ns] of Object.entries(perRead)) samples[name]!.push(ns);
      }
      const ns = (name: string) => median(samples[name]!);
      return {
        ratios: {
          [`${KEY}.vsPlainObject`]: ratio(ns("secrets"), ns("plain")),
          [`${KEY}.refreshingVsPlainObject`]: ratio(ns("refreshing"), ns("plain")),
        },
        medians: Object.fromEntries(Object.keys(samples).map((name) => [`${KEY}.${name}Ns`, round(ns(name), 2)])),
        targets: {
          [`${KEY}.vsPlainObject`]: { max: 1.5, label: "≤ 1.5×" },
          [`${KEY}.refreshingVsPlainObject`]: { max: 1.5, label: "≤ 1.5× (under refresh)" },
        },
        notes: [`median ns per read of two fields (a string and a number), ${rounds} rounds`],
      };
    } finally {
      await close(objects.refreshing!);
    }
  },
};

/**
 * One read is below the timer's resolution: each sample is a loop of reads, summed so the reads
 * cannot be optimised away. One function literal per object, written out three times on purpose:
 * a shared literal would share V8's inline caches, making every read polymorphic and the plain
 * object look slower than it is.
 */
const READ_LOOPS: Record<string, (object: Values) => number> = {
  secrets: (object) => {
    let sum = 0;
    for (let i = 0; i < READS_PER_SAMPLE; i++) sum += object.API_KEY.length + object.PORT;
    return sum;
  },
  refreshing: (object) => {
    let sum = 0;
    for (let i = 0; i < READS_PER_SAMPLE; i++) sum += object.API_KEY.length + object.PORT;
    return sum;
  },
  plain: (object) => {
    let sum = 0;
    for (let i = 0; i < READS_PER_SAMPLE; i++) sum += object.API_KEY.length + object.PORT;
    return sum;
  },
};

/** Median ns per read pair, by name. */
async function nsPerRead(objects: readonly (readonly [string, Values])[], quick: boolean): Promise<Record<string, number>> {
  let sink = 0;
  const bench = new Bench({ time: quick ? 20 : 150, warmupTime: quick ? 5 : 50 });
  for (const [name, object] of objects) {
    const loop = READ_LOOPS[name]!;
    bench.add(name, () => {
      sink += loop(object);
    });
  }
  await bench.run();
  if (sink === 0) throw new Error("hotRead: reads were optimised away");
  return Object.fromEntries(objects.map(([name]) => {
    const result = bench.getTask(name)?.result;
    if (!result || !("latency" in result)) throw new Error(`hotRead: tinybench task ${name} did not complete`);
    return [name, (result.latency.p50 * 1e6) / READS_PER_SAMPLE];
  }));
}
