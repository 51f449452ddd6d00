// The same generated module under Deno: `deno run --allow-env --allow-read examples/deno/main.ts`.
import { explain, secrets } from "../../generated/index.ts";

console.log(`listening on port ${secrets.PORT}`);
console.log("secrets object as logged:", secrets);
console.log(explain());
