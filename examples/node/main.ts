// A Node app using the generated accessor: secrets are loaded before the first line below runs.
import { explain, provenance, redact, secrets } from "../../generated/index.ts";

console.log(`listening on port ${secrets.PORT} (log level ${secrets.LOG_LEVEL}, origins ${secrets.ALLOWED_ORIGINS.join(" ")})`);
console.log("secrets object as logged:", secrets);
console.log("session secret came from:", provenance("SESSION_SECRET").where);
console.log(redact(`a log line that accidentally contains ${secrets.SESSION_SECRET}`));
console.log(explain());
