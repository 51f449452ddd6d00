/**
 * Reading a t3-env or envalid file as syntax (ts-morph, no type checker): the user's file is parsed,
 * never executed, so whatever it imports or computes at start-up stays unrun.
 */
import { basename, extname } from "node:path";
import { Node, Project, SyntaxKind, type CallExpression, type Expression, type ObjectLiteralElementLike, type ObjectLiteralExpression, type SourceFile } from "ts-morph";

const SOURCE_EXTENSIONS = new Set([".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"]);

/** Parse the text as its extension says; as TypeScript when the extension is not a source one. */
export function parseSource(path: string, text: string): SourceFile {
  const project = new Project({ useInMemoryFileSystem: true });
  const extension = extname(path).toLowerCase();
  const name = SOURCE_EXTENSIONS.has(extension) ? basename(path) : `${basename(path, extension)}.ts`;
  return project.createSourceFile(name, text);
}

/** The names a file binds to a module's exports: `import { a as b }`, `import * as ns`, `const { a } = require()`. */
export interface ModuleBindings {
  /** Local name → exported name. */
  readonly named: ReadonlyMap<string, string>;
  /** Local names of the whole module (namespace, default or `require` object). */
  readonly namespaces: ReadonlySet<string>;
}

export function moduleBindings(file: SourceFile, isModule: (specifier: string) => boolean): ModuleBindings {
  const named = new Map<string, string>();
  const namespaces = new Set<string>();
  for (const declaration of file.getImportDeclarations()) {
    if (!isModule(declaration.getModuleSpecifierValue())) continue;
    for (const specifier of declaration.getNamedImports()) {
      named.set(specifier.getAliasNode()?.getText() ?? specifier.getName(), specifier.getName());
    }
    const whole = declaration.getNamespaceImport() ?? declaration.getDefaultImport();
    if (whole) namespaces.add(whole.getText());
  }
  for (const declaration of file.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const init = declaration.getInitializer();
    if (!Node.isCallExpression(init) || init.getExpression().getText() !== "require") continue;
    const [specifier] = init.getArguments();
    if (!Node.isStringLiteral(specifier) || !isModule(specifier.getLiteralValue())) continue;
    const target = declaration.getNameNode();
    if (Node.isIdentifier(target)) namespaces.add(target.getText());
    else if (Node.isObjectBindingPattern(target)) {
      for (const element of target.getElements()) {
        named.set(element.getName(), element.getPropertyNameNode()?.getText() ?? element.getName());
      }
    }
  }
  return { named, namespaces };
}

/** The export a call invokes (`cleanEnv(...)`, `envalid.cleanEnv(...)`), or undefined for other calls. */
export function calledExport(call: CallExpression, bindings: ModuleBindings): string | undefined {
  const callee = call.getExpression();
  if (Node.isIdentifier(callee)) return bindings.named.get(callee.getText());
  if (Node.isPropertyAccessExpression(callee) && bindings.namespaces.has(callee.getExpression().getText())) return callee.getName();
  return undefined;
}

/** Every call of one of `exports` in the file, in source order. */
export function findCalls(file: SourceFile, bindings: ModuleBindings, exports: readonly string[]): CallExpression[] {
  return file.getDescendantsOfKind(SyntaxKind.CallExpression).filter((call) => exports.includes(calledExport(call, bindings) ?? ""));
}

/** The expression under parentheses, `as`, `satisfies` and `!`, which change types, not values. */
export function unwrap(expression: Expression): Expression {
  let current: Node = expression;
  while (
    Node.isParenthesizedExpression(current) || Node.isAsExpression(current) || Node.isSatisfiesExpression(current) ||
    Node.isNonNullExpression(current) || Node.isTypeAssertion(current)
  ) {
    current = current.getExpression();
  }
  return current as Expression;
}

/**
 * An object literal written here, or a `const` in the same file that holds one
 * (`cleanEnv(process.env, envValidators)`); undefined for anything else.
 */
export function objectLiteralOf(expression: Expression | undefined): ObjectLiteralExpression | undefined {
  if (expression === undefined) return undefined;
  const value = unwrap(expression);
  if (Node.isObjectLiteralExpression(value)) return value;
  if (!Node.isIdentifier(value)) return undefined;
  const declaration = value.getSourceFile().getVariableDeclaration(value.getText());
  const init = declaration?.getInitializer();
  return init ? objectLiteralOf(init) : undefined;
}

/** A property's key as text (`A:`, `"A":`), or undefined when computed or not a key: value pair. */
export function propertyKey(property: ObjectLiteralElementLike): string | undefined {
  if (!Node.isPropertyAssignment(property)) return undefined;
  const name = property.getNameNode();
  if (Node.isIdentifier(name)) return name.getText();
  if (Node.isStringLiteral(name) || Node.isNoSubstitutionTemplateLiteral(name)) return name.getLiteralValue();
  return undefined;
}

/** The variable an expression reads: `process.env.X`, `process.env["X"]`, `import.meta.env.X`. */
export function envVariableRead(expression: Node): string | undefined {
  const node = Node.isExpression(expression) ? unwrap(expression) : expression;
  const isEnvObject = (object: Node) => ["process.env", "import.meta.env"].includes(object.getText().replace(/\s/g, ""));
  if (Node.isPropertyAccessExpression(node) && isEnvObject(node.getExpression())) return node.getName();
  if (Node.isElementAccessExpression(node) && isEnvObject(node.getExpression())) {
    const argument = node.getArgumentExpression();
    if (Node.isStringLiteral(argument) || Node.isNoSubstitutionTemplateLiteral(argument)) return argument.getLiteralValue();
  }
  return undefined;
}

/** Whether the expression reads the environment anywhere (a field that differs between machines). */
export function readsEnvironment(node: Node): boolean {
  return [node, ...node.getDescendants()].some((child) => envVariableRead(child) !== undefined || child.getText() === "process.env");
}

/**
 * Names declared at the top of the input file (imports, consts, functions, enums...) that the node
 * uses, other than `allowed`: the written schema does not have them.
 */
export function outsideNames(node: Node, allowed: ReadonlySet<string>): string[] {
  const declared = topLevelNames(node.getSourceFile());
  const identifiers = [...(Node.isIdentifier(node) ? [node] : []), ...node.getDescendantsOfKind(SyntaxKind.Identifier)];
  const used = identifiers.filter((identifier) => {
    const parent = identifier.getParent();
    // `a.name` and `{ name: ... }` use `name` as a key, not as a variable.
    if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier) return false;
    if (Node.isPropertyAssignment(parent) && parent.getNameNode() === identifier) return false;
    return true;
  });
  return [...new Set(used.map((identifier) => identifier.getText()))].filter((name) => declared.has(name) && !allowed.has(name));
}

function topLevelNames(file: SourceFile): Set<string> {
  const names = new Set<string>();
  for (const declaration of file.getImportDeclarations()) {
    for (const specifier of declaration.getNamedImports()) names.add(specifier.getAliasNode()?.getText() ?? specifier.getName());
    const whole = declaration.getNamespaceImport() ?? declaration.getDefaultImport();
    if (whole) names.add(whole.getText());
  }
  for (const statement of file.getVariableStatements()) {
    for (const declaration of statement.getDeclarations()) {
      const name = declaration.getNameNode();
      if (Node.isIdentifier(name)) names.add(name.getText());
      else for (const element of name.getDescendantsOfKind(SyntaxKind.BindingElement)) names.add(element.getName());
    }
  }
  for (const declaration of [...file.getFunctions(), ...file.getClasses(), ...file.getEnums()]) {
    const name = declaration.getName();
    if (name) names.add(name);
  }
  return names;
}

/** Same tokens, whatever the spacing and line breaks: `z.string()` and `z\n  .string()`. */
export function sameTokens(a: Node, b: Node): boolean {
  const tokens = (node: Node) => node.getDescendants().filter((child) => child.getChildCount() === 0).map((child) => child.getText());
  return JSON.stringify(tokens(a)) === JSON.stringify(tokens(b));
}

/**
 * The node's text with its continuation lines re-indented for a field of the written schema
 * (two spaces), so multi-line zod chains keep their shape.
 */
export function fieldText(node: Node): string {
  const [first = "", ...rest] = node.getText().split("\n");
  const lineStart = node.getSourceFile().getFullText().lastIndexOf("\n", node.getStart()) + 1;
  const indent = /^[ \t]*/.exec(node.getSourceFile().getFullText().slice(lineStart))![0];
  return [first, ...rest.map((line) => `  ${line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()}`)].join("\n");
}

/** The `//` and block comments written just above a node. */
export function leadingComments(node: Node): string[] {
  return node.getLeadingCommentRanges().map((range) => range.getText());
}

/** A string, number, boolean or null literal's value, or undefined for anything else. */
export function literalValue(expression: Expression): { value: string | number | boolean | null } | undefined {
  const node = unwrap(expression);
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return { value: node.getLiteralValue() };
  if (Node.isNumericLiteral(node)) return { value: node.getLiteralValue() };
  if (Node.isPrefixUnaryExpression(node) && node.getOperatorToken() === SyntaxKind.MinusToken && Node.isNumericLiteral(node.getOperand())) {
    return { value: -Number(node.getOperand().getText()) };
  }
  if (Node.isTrueLiteral(node) || Node.isFalseLiteral(node)) return { value: node.getLiteralValue() };
  if (Node.isNullLiteral(node)) return { value: null };
  return undefined;
}

/**
 * " `text`" for a report about a field, or "" for a secret field: its defaults and runtimeEnv
 * fallbacks may hold a real value, and the report goes to terminals and CI logs.
 */
export function quotedUnlessSecret(node: Node, secret: boolean): string {
  return secret ? "" : ` \`${excerpt(node)}\``;
}

/** A node's text on one line, shortened: enough to recognise it in a report. */
export function excerpt(node: Node, max = 60): string {
  const text = node.getText().replace(/\s+/g, " ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
