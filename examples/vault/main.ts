// The app: everything below runs only once every Vault secret has been read and validated.
import { explain, provenance, secrets } from "./generated/index.ts";

console.log(`starting on port ${secrets.PORT}; payments key is version ${provenance("PAYMENTS_KEY").version} (values never shown):`);
console.log(explain());
