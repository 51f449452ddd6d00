/** An envalid `cleanEnv(process.env, { NAME: str({...}), ... })` call, each validator mapped to zod. */
import { Node, type ArrayLiteralExpression, type CallExpression, type Expression, type ObjectLiteralElementLike, type ObjectLiteralExpression } from "ts-morph";
import { CliError } from "../../cli/errors.ts";
import type { ImportedField, ImportedSchema } from "./model.ts";
import { secretReason } from "./secret-names.ts";
import {
  calledExport, excerpt, leadingComments, literalValue, objectLiteralOf, outsideNames, propertyKey, quotedUnlessSecret, readsEnvironment, unwrap,
  type ModuleBindings,
} from "./syntax.ts";

// "envalid/dist/validators" is a common way to import the validators.
export const isEnvalidModule = (specifier: string) => specifier === "envalid" || specifier.startsWith("envalid/");

type ValueKind = "text" | "number" | "boolean" | "json";

/** Each built-in validator as zod. `json` is a helper the written schema declares (JSON_HELPER). */
const VALIDATORS: Readonly<Record<string, { readonly zod: string; readonly kind: ValueKind }>> = {
  str: { zod: "z.string()", kind: "text" },
  email: { zod: "z.email()", kind: "text" },
  url: { zod: "z.url()", kind: "text" },
  host: { zod: "z.union([z.hostname(), z.ipv4(), z.ipv6()])", kind: "text" },
  num: { zod: "z.coerce.number()", kind: "number" },
  port: { zod: "z.coerce.number().int().min(1).max(65535)", kind: "number" },
  bool: { zod: "z.stringbool()", kind: "boolean" },
  json: { zod: "json", kind: "json" },
};

const JSON_HELPER = `// envalid's json(): the variable parsed as JSON; text that is not JSON is a validation issue, not a thrown error.
const json = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "not valid JSON" });
    return z.NEVER;
  }
});`;

export function convertEnvalid(call: CallExpression, bindings: ModuleBindings): ImportedSchema {
  const [environment, validators, options] = call.getArguments();
  const specs = objectLiteralOf(validators as Expression | undefined);
  if (!specs) {
    throw new CliError(`cleanEnv(...) on line ${call.getStartLineNumber()} is not given an object literal (or a const holding one in the same file), so import cannot read its validators: pass the file where they are written`);
  }
  const notConverted: string[] = [];
  const notes: string[] = [];
  if (environment && environment.getText().replace(/\s/g, "") !== "process.env") {
    notConverted.push(`cleanEnv reads \`${excerpt(environment)}\`, not process.env: secrets-gen reads the process environment (and secret files), so move any values that object adds there`);
  }
  if (calledExport(call, bindings) === "customCleanEnv") {
    notConverted.push("customCleanEnv's middleware is not converted: apply it to the loaded secrets in your code");
  }
  if (options) notes.push(`cleanEnv's options (${excerpt(options)}) are not converted: secrets-gen reports every invalid field itself, naming it and never its value`);

  const fields: ImportedField[] = [];
  const convertAll = (object: ObjectLiteralExpression, condition?: string) => {
    for (const property of object.getProperties()) {
      const group = conditionalGroup(property);
      if (group) convertAll(group.fields, group.condition);
      else {
        const field = convertField(property, bindings, condition);
        if (typeof field === "string") notConverted.push(field);
        else fields.push(field);
      }
    }
  };
  convertAll(specs);
  if (fields.some((field) => field.zod.startsWith("z.stringbool()"))) {
    notes.push("bool() became z.stringbool(), which takes true/false, 1/0, yes/no, on/off, y/n and enabled/disabled in any case, but not envalid's t/f");
  }
  const usesJson = fields.some((field) => /^json\b/.test(field.zod));
  return { library: "envalid", zodImport: `import { z } from "zod";`, helpers: usesJson ? [JSON_HELPER] : [], fields, notConverted, notes };
}

/** `...(condition && { A: str(), ... })`: fields envalid declares only when the condition holds. */
function conditionalGroup(property: ObjectLiteralElementLike): { condition: string; fields: ObjectLiteralExpression } | undefined {
  if (!Node.isSpreadAssignment(property)) return undefined;
  const spread = unwrap(property.getExpression());
  if (!Node.isBinaryExpression(spread) || spread.getOperatorToken().getText() !== "&&") return undefined;
  const fields = unwrap(spread.getRight());
  return Node.isObjectLiteralExpression(fields) ? { condition: excerpt(spread.getLeft()), fields } : undefined;
}

const KNOWN_OPTIONS = new Set(["choices", "default", "devDefault", "testDefault", "desc", "docs", "example", "requiredWhen"]);

function convertField(property: ObjectLiteralElementLike, bindings: ModuleBindings, condition: string | undefined): ImportedField | string {
  const name = propertyKey(property);
  const initializer = Node.isPropertyAssignment(property) ? property.getInitializer() : undefined;
  if (name === undefined || initializer === undefined) {
    return `\`${excerpt(property)}\` is not converted (a spread or a computed name): declare the fields it adds here`;
  }
  const call = unwrap(initializer);
  const validator = Node.isCallExpression(call) ? calledExport(call, bindings) : undefined;
  const builtIn = validator !== undefined ? VALIDATORS[validator] : undefined;
  const reason = secretReason(name);
  const todo: Todo = { list: [], shown: (node) => quotedUnlessSecret(node, reason !== undefined) };
  if (!builtIn) {
    todo.list.push(`its validator${todo.shown(call)} is not one of envalid's (a custom validator?): write its check in zod (.refine, .transform); until then any text passes`);
    return field(name, "z.string()", {}, reason, todo.list, property);
  }
  const given = new Map<string, Expression>();
  for (const option of objectLiteralOf((call as CallExpression).getArguments()[0] as Expression | undefined)?.getProperties() ?? []) {
    const key = propertyKey(option);
    if (key !== undefined && KNOWN_OPTIONS.has(key) && Node.isPropertyAssignment(option)) given.set(key, option.getInitializerOrThrow());
    else todo.list.push(`the option${todo.shown(option)} is not converted`);
  }
  const zod = withPresence(withChoices(builtIn, given.get("choices"), todo), given, condition, todo);
  const options = { ...devDefaultOption(name, reason, given.get("devDefault"), todo), ...descriptionOption(given, todo) };
  const testDefault = given.get("testDefault");
  if (testDefault) todo.list.push(`its testDefault${todo.shown(testDefault)} is not converted: set ${name} in your test environment`);
  return field(name, zod, options, reason, todo.list, property);
}

/** A field's TODO notes, and how a note may quote its source (never for a secret field). */
interface Todo {
  readonly list: string[];
  readonly shown: (node: Node) => string;
}

/** The validator as zod, narrowed to its `choices`: z.enum for text, z.literal for numbers. */
function withChoices(builtIn: { zod: string; kind: ValueKind }, choices: Expression | undefined, todo: Todo): string {
  if (!choices) return builtIn.zod;
  const list = unwrap(choices);
  const values = Node.isArrayLiteralExpression(list) ? (list as ArrayLiteralExpression).getElements().map(literalValue) : [];
  const listed = values.length > 0 && values.every((value) => value !== undefined) ? values.map((value) => JSON.stringify(value!.value)) : undefined;
  if (listed && builtIn.kind === "text") return `z.enum([${listed.join(", ")}])`;
  if (listed && builtIn.kind === "number") return `${builtIn.zod}.pipe(z.literal([${listed.join(", ")}]))`;
  todo.list.push(`choices \`${excerpt(choices)}\` are not converted: list the allowed values with z.enum([...]) or z.literal([...])`);
  return builtIn.zod;
}

/** `.default(...)` or `.optional()` from envalid's default, requiredWhen, and a declaration under a condition. */
function withPresence(zod: string, given: ReadonlyMap<string, Expression>, condition: string | undefined, todo: Todo): string {
  const fallback = given.get("default");
  let optional = false;
  if (fallback) {
    const value = expressionText(fallback);
    if (value === "undefined") optional = true;
    else if (value === "null") zod += ".nullable().default(null)";
    else if (value !== undefined) zod += `.default(${value})`;
    else todo.list.push(`its default${todo.shown(fallback)} uses names from the original file or the environment: write the value here (.default(...)); until then the field is required`);
  }
  if (given.has("requiredWhen")) {
    optional = true;
    todo.list.push("requiredWhen (a rule across fields) is not converted: the field is optional here, so check that rule in your code");
  }
  if (condition !== undefined) {
    if (!fallback) optional = true;
    todo.list.push(`envalid declared it only when \`${condition}\`; here it is always declared${fallback ? "" : " and optional"}: check that rule in your code`);
  }
  return optional ? `${zod}.optional()` : zod;
}

/** devDefault is a secret() option; a plain field's development value belongs in .env. */
function devDefaultOption(name: string, reason: string | undefined, devDefault: Expression | undefined, todo: Todo): { devDefault?: string } {
  if (!devDefault) return {};
  const literal = literalValue(devDefault);
  if (reason === undefined) {
    todo.list.push(`envalid's devDefault has no equivalent for a non-secret field: put ${name}=${literal?.value ?? "<value>"} in .env for development`);
  } else if (literal === undefined || literal.value === null) {
    todo.list.push("its devDefault is not a plain value: write it as text in devDefault");
  } else {
    return { devDefault: String(literal.value) };
  }
  return {};
}

/** desc, docs and example, as one description. */
function descriptionOption(given: ReadonlyMap<string, Expression>, todo: Todo): { description?: string } {
  const parts: string[] = [];
  for (const [key, label] of [["desc", ""], ["docs", "Docs: "], ["example", "Example: "]] as const) {
    const text = given.get(key);
    if (!text) continue;
    const literal = literalValue(text);
    if (literal !== undefined && literal.value !== null) parts.push(`${label}${literal.value}`);
    else todo.list.push(`${key} \`${excerpt(text)}\` is not plain text, so it is not in the description`);
  }
  return parts.length > 0 ? { description: parts.join(". ") } : {};
}

/** A value's source text for `.default(...)`, or undefined when it needs names the schema does not have. */
function expressionText(expression: Expression): string | undefined {
  const literal = literalValue(expression);
  if (literal !== undefined) return JSON.stringify(literal.value);
  if (unwrap(expression).getText() === "undefined") return "undefined";
  return outsideNames(expression, new Set()).length === 0 && !readsEnvironment(expression) ? expression.getText() : undefined;
}

function field(
  name: string, zod: string, options: ImportedField["options"], reason: string | undefined, todos: string[], property: ObjectLiteralElementLike,
): ImportedField {
  return { name, zod, options, ...(reason !== undefined ? { secretReason: reason } : {}), todos, comments: leadingComments(property) };
}
