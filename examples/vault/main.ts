// The app: everything below runs only once every Vault secret has been read and validated.
import { explain, provenance, secrets } from "./generated/index.ts";

console.log(`connecting to ${new URL(secrets.DATABASE_URL).host} on port ${secrets.PORT}`);
console.log(`payments key version: ${provenance("PAYMENTS_KEY").version}`);
console.log(explain());
