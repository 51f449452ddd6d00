/** The text of the secrets.schema.ts that `secrets-gen import` writes. */
import { TODO_TAG, type ImportedField, type ImportedSchema } from "./model.ts";

export function renderSchema(schema: ImportedSchema, inputPath: string): string {
  const usesSecret = schema.fields.some((field) => field.secretReason !== undefined);
  const usesConfig = schema.fields.some((field) => field.secretReason === undefined && hasOptions(field));
  const helpers = ["defineSecrets", ...(usesSecret ? ["secret"] : []), ...(usesConfig ? ["config"] : [])].sort();
  const lines = [
    `// Converted by \`secrets-gen import\` from ${inputPath} (${schema.library}). Review it, then run \`npx secrets-gen\`.`,
    "// secret(...) marks the fields whose names look sensitive: check each one, and wrap any other sensitive field in secret().",
    ...schema.notConverted.map((note) => `// ${TODO_TAG} ${note}`),
    "",
    schema.zodImport,
    `import { ${helpers.join(", ")} } from "secrets-gen";`,
    "",
    ...schema.helpers.flatMap((helper) => [helper, ""]),
    "export default defineSecrets({",
    ...schema.fields.flatMap(renderField),
    "});",
    "",
  ];
  return lines.join("\n");
}

function renderField(field: ImportedField): string[] {
  const options = renderOptions(field);
  const wrapper = field.secretReason !== undefined ? "secret" : options ? "config" : undefined;
  return [
    ...field.comments.map((comment) => `  ${comment}`),
    ...field.todos.map((todo) => `  // ${TODO_TAG} ${todo}`),
    `  ${propertyName(field.name)}: ${wrapper === undefined ? field.zod : wrap(wrapper, field.zod, options)},`,
  ];
}

/** `secret(zod, options)` on one line, or with one argument a line when the zod chain spans several. */
function wrap(wrapper: string, zod: string, options: string): string {
  if (!zod.includes("\n")) return `${wrapper}(${zod}${options ? `, ${options}` : ""})`;
  const argument = (text: string) => `    ${text.replaceAll("\n", "\n  ")},`;
  return [`${wrapper}(`, argument(zod), ...(options ? [argument(options)] : []), "  )"].join("\n");
}

/** A name that is not an identifier (`"my-var"`) is quoted, so the file parses and defineSecrets can name the problem. */
function propertyName(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

function hasOptions(field: ImportedField): boolean {
  return Object.keys(field.options).length > 0;
}

/** `{ env: "X", devOptional: true }` in the agreed option names, or "" when there are none. */
function renderOptions({ options }: ImportedField): string {
  const entries = Object.entries(options).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return entries.length > 0 ? `{ ${entries.join(", ")} }` : "";
}
