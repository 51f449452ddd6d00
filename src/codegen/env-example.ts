import type { SecretsSchema } from "../schema/define.ts";

/** .env.example: every variable the app reads, with what it is for, and never a value. */
export function emitEnvExample(schema: SecretsSchema, header: string): string {
  const blocks = schema.fields.map((field) => {
    const notes = [
      field.sensitive ? "secret" : "config",
      ...(field.sensitive ? [`or a file via ${field.fileEnv}`] : []),
      ...(field.from.length > 0 ? [`also from ${field.from.map((ref) => ref.raw).join(", ")}`] : []),
      ...(field.optional ? ["optional"] : field.devOptional ? ["optional outside production"] : []),
    ];
    const description = field.description ? `${field.description} ` : "";
    return `# ${description}(${notes.join("; ")})\n${field.env}=`;
  });
  return `${header.replace(/^\/\/ ?/, "# ")}\n# Names only: never put real values in this file.\n\n${blocks.join("\n\n")}\n`;
}
