/**
 * Which imported fields look sensitive, judged by name alone. The import marks them secret(...) and
 * lists them with the reason, because a name is only a hint: the user reviews the list.
 */

/** Words of a variable name (split on "_") that mean a credential. */
const SECRET_WORDS = new Set([
  "SECRET", "SECRETS", "KEY", "KEYS", "APIKEY", "TOKEN", "TOKENS", "PASSWORD", "PASSWD", "PASS", "PWD",
  "PRIVATE", "DSN", "CREDENTIAL", "CREDENTIALS", "SALT",
]);

/** Connection strings carry a user and password: DATABASE_URL, MONGO_URI, REDIS_URL... */
const CONNECTION_URL = /(^|_)(DATABASE|DB|MONGO|MONGODB|POSTGRES|POSTGRESQL|PG|MYSQL|REDIS|AMQP|RABBITMQ)_(URL|URI)$/;

/** Why `name` looks like a secret, or undefined when it does not. */
export function secretReason(name: string): string | undefined {
  const upper = name.toUpperCase();
  const word = upper.split("_").find((part) => SECRET_WORDS.has(part));
  if (word !== undefined) return `name contains ${word}`;
  if (CONNECTION_URL.test(upper) || upper.includes("CONNECTION_STRING")) return "a connection string, which holds credentials";
  return undefined;
}
