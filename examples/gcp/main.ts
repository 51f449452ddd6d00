// The app: everything below runs only once every Secret Manager secret has been read and validated.
import { explain, secrets } from "./generated/index.ts";

console.log(`starting on port ${secrets.PORT}; where each secret came from (values never shown):`);
console.log(explain());
