/** A t3-env `createEnv({ server, shared, client, runtimeEnv, ... })` call, converted field by field. */
import { Node, SyntaxKind, type CallExpression, type ConditionalExpression, type Expression, type ObjectLiteralElementLike, type SourceFile } from "ts-morph";
import { CliError } from "../../cli/errors.ts";
import type { ImportedField, ImportedSchema } from "./model.ts";
import { secretReason } from "./secret-names.ts";
import {
  envVariableRead, excerpt, fieldText, leadingComments, literalValue, moduleBindings, objectLiteralOf, outsideNames,
  propertyKey, quotedUnlessSecret, readsEnvironment, sameTokens, unwrap,
} from "./syntax.ts";

export const isT3EnvModule = (specifier: string) => specifier.startsWith("@t3-oss/env-");
const isZodModule = (specifier: string) => specifier === "zod" || specifier.startsWith("zod/");

const RUNTIME_ENV_KEYS = ["runtimeEnv", "runtimeEnvStrict", "experimental__runtimeEnv"];

/** Options whose loss changes nothing a user must fix: said once in the report. */
const NOTES: Readonly<Record<string, string>> = {
  emptyStringAsUndefined: "emptyStringAsUndefined needs no option: secrets-gen always treats an empty variable as not set",
  onValidationError: "onValidationError is not converted: secrets-gen reports every invalid field itself, naming it and never its value",
  onInvalidAccess: "onInvalidAccess is not converted: the generated module is for server code only",
  isServer: "isServer is not converted: the generated module is for server code only",
  clientPrefix: "clientPrefix is not converted: client variables stay with t3-env",
};

/** Options that drop a check or a value when left out: TODO comments at the top of the schema. */
const NOT_CONVERTED: Readonly<Record<string, (value: Expression) => string>> = {
  skipValidation: () => "skipValidation is not converted: secrets-gen never skips validation, but generating needs no values, so code that runs during a build should import generated/secrets.ts and call loadSecrets() when it runs rather than import generated/index.ts",
  createFinalSchema: () => "createFinalSchema (checks across fields) is not converted: check those rules in your code after the secrets load",
  extends: (value) => `extends (${excerpt(value)}) is not converted: declare the variables of those presets that your code reads as fields here`,
};

export function convertT3Env(call: CallExpression): ImportedSchema {
  const options = objectLiteralOf(call.getArguments()[0] as Expression | undefined);
  if (!options) {
    throw new CliError(`createEnv(...) on line ${call.getStartLineNumber()} is not given an object literal, so import cannot read its fields: pass the file where the object is written`);
  }
  const file = call.getSourceFile();
  const zod = zodImport(file);
  const sections = new Map<string, Expression>();
  const notConverted: string[] = [];
  const notes: string[] = [];
  for (const property of options.getProperties()) {
    // `createEnv({ server, runtimeEnv })` names consts of the same file.
    const shorthand = Node.isShorthandPropertyAssignment(property) ? property.getNameNode() : undefined;
    const key = shorthand?.getText() ?? propertyKey(property);
    const value = shorthand ?? (Node.isPropertyAssignment(property) ? property.getInitializer() : undefined);
    if (key === undefined || value === undefined) notConverted.push(`the createEnv option \`${excerpt(property)}\` is not converted: add what it declares by hand`);
    else sections.set(key, value);
  }

  const reads = runtimeEnvReads(RUNTIME_ENV_KEYS.map((key) => sections.get(key)).find((value) => value !== undefined));
  const fields: ImportedField[] = [];
  for (const section of ["server", "shared"]) {
    const object = objectLiteralOf(sections.get(section));
    if (sections.has(section) && !object) notConverted.push(`${section} (${excerpt(sections.get(section)!)}) is not an object literal, so its fields are not converted: write them here`);
    for (const property of object?.getProperties() ?? []) {
      const field = convertField(property, reads, zod.names);
      if (typeof field === "string") notConverted.push(field);
      else fields.push(field);
    }
  }
  const client = objectLiteralOf(sections.get("client"))?.getProperties() ?? [];
  if (client.length > 0) {
    const names = client.map((property) => propertyKey(property) ?? excerpt(property)).join(", ");
    notConverted.push(`client variables ${names} are not converted: the browser bundle gets them at build time, which secrets-gen does not do, so keep them in t3-env or your framework's public env`);
  }
  for (const [key, value] of sections) {
    if (key in NOT_CONVERTED) notConverted.push(NOT_CONVERTED[key]!(value));
    else if (key in NOTES) notes.push(NOTES[key]!);
    else if (!["server", "shared", "client", ...RUNTIME_ENV_KEYS].includes(key)) notConverted.push(`the createEnv option ${key} is not converted: secrets-gen has no such setting`);
  }
  return { library: "t3-env", zodImport: zod.line, helpers: [], fields, notConverted, notes };
}

/** The file's zod import, kept as written (`import * as z from "zod"` stays); `import { z } from "zod"` when there is none. */
function zodImport(file: SourceFile): { line: string; names: ReadonlySet<string> } {
  const declaration = file.getImportDeclarations().find((candidate) => isZodModule(candidate.getModuleSpecifierValue()));
  if (!declaration) return { line: `import { z } from "zod";`, names: new Set(["z"]) };
  const bindings = moduleBindings(file, isZodModule);
  return { line: declaration.getText(), names: new Set([...bindings.named.keys(), ...bindings.namespaces]) };
}

interface RuntimeRead {
  /** The variable read, when runtimeEnv reads a single one. */
  readonly env?: string;
  /** What runtimeEnv computes instead, for the TODO note. */
  readonly expression?: Node;
}

/** Per field, what runtimeEnv feeds it. `runtimeEnv: process.env` (or none) reads every field by its name. */
function runtimeEnvReads(runtimeEnv: Expression | undefined): ReadonlyMap<string, RuntimeRead> {
  const reads = new Map<string, RuntimeRead>();
  for (const property of objectLiteralOf(runtimeEnv)?.getProperties() ?? []) {
    const key = propertyKey(property);
    const value = Node.isPropertyAssignment(property) ? property.getInitializer() : undefined;
    if (key === undefined || value === undefined) continue;
    const env = envVariableRead(value);
    reads.set(key, env !== undefined ? { env } : { expression: value });
  }
  return reads;
}

/** One server or shared field; a string says why it could not be converted at all. */
function convertField(property: ObjectLiteralElementLike, reads: ReadonlyMap<string, RuntimeRead>, zodNames: ReadonlySet<string>): ImportedField | string {
  const name = propertyKey(property);
  const initializer = Node.isPropertyAssignment(property) ? property.getInitializer() : undefined;
  if (name === undefined || initializer === undefined) {
    return `\`${excerpt(property)}\` is not converted (a spread or a computed name): declare the fields it adds here`;
  }
  const todos: string[] = [];
  let schema = unwrap(initializer);
  let devOptional = false;
  if (Node.isConditionalExpression(schema)) {
    const required = productionRequired(schema);
    if (required) {
      schema = required;
      devOptional = true;
    } else {
      todos.push(`t3-env picked this schema when the file loaded (\`${excerpt(schema.getCondition())} ? … : …\`); secrets-gen fixes it when generating, so this is the first branch: make it right for every environment`);
      schema = unwrap(schema.getWhenTrue());
    }
  } else if (readsEnvironment(schema)) {
    todos.push("its schema reads the environment when the file loads, but secrets-gen fixes the schema when generating: make it the same for every environment");
  }
  const outside = outsideNames(schema, zodNames);
  if (outside.length > 0) todos.push(`uses ${outside.join(", ")} from the original file: copy ${outside.length > 1 ? "them" : "it"} into this schema`);

  const reason = secretReason(name);
  const read = reads.get(name);
  if (read?.expression !== undefined) {
    todos.push(`t3-env's runtimeEnv computes it${quotedUnlessSecret(read.expression, reason !== undefined)}, but secrets-gen reads the variable ${name}: set env: to read another one, or a default`);
  }
  const env = read?.env !== undefined && read.env !== name ? read.env : undefined;
  return {
    name,
    zod: fieldText(schema),
    options: { ...(env !== undefined ? { env } : {}), ...(devOptional ? { devOptional } : {}) },
    ...(reason !== undefined ? { secretReason: reason } : {}),
    todos,
    comments: leadingComments(property),
  };
}

/**
 * create-t3-app's `process.env.NODE_ENV === "production" ? X : X.optional()` (either operand order,
 * or `!==` with the branches swapped): returns X, which becomes devOptional. Anything else: undefined.
 */
function productionRequired(conditional: ConditionalExpression): Expression | undefined {
  const condition = unwrap(conditional.getCondition());
  if (!Node.isBinaryExpression(condition)) return undefined;
  const operator = condition.getOperatorToken().getKind();
  const equals = operator === SyntaxKind.EqualsEqualsEqualsToken || operator === SyntaxKind.EqualsEqualsToken;
  const differs = operator === SyntaxKind.ExclamationEqualsEqualsToken || operator === SyntaxKind.ExclamationEqualsToken;
  const isProduction = (env: Expression, value: Expression) => envVariableRead(env) === "NODE_ENV" && literalValue(value)?.value === "production";
  if (!(equals || differs) || !(isProduction(condition.getLeft(), condition.getRight()) || isProduction(condition.getRight(), condition.getLeft()))) {
    return undefined;
  }
  const [required, optional] = equals
    ? [unwrap(conditional.getWhenTrue()), unwrap(conditional.getWhenFalse())]
    : [unwrap(conditional.getWhenFalse()), unwrap(conditional.getWhenTrue())];
  if (!Node.isCallExpression(optional) || optional.getArguments().length > 0) return undefined;
  const callee = optional.getExpression();
  return Node.isPropertyAccessExpression(callee) && callee.getName() === "optional" && sameTokens(callee.getExpression(), required) ? required : undefined;
}
