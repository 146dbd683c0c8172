// Validates every object of the given Kubernetes manifests (multi-document YAML) offline
// against the Kubernetes schemas (kubernetes-models) and the prometheus-operator CRD schemas
// (@kubernetes-models/prometheus-operator). Prints one line per object; exits 1 when any
// object is invalid or of a kind it has no schema for, 2 on usage or read errors.
//   node validate.mjs FILE...
//
// Two checks per object. The models' validate() checks types, required fields, formats and
// patterns, but (as the API server's OpenAPI schemas) accepts fields it does not know, which
// the API server would drop or reject: a misspelt field would pass. So every object is also
// type-checked by the TypeScript compiler as an object literal of the model's interface,
// whose excess-property check refuses any field name the schema does not have, at any depth.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { parseAllDocuments } from "yaml";

const kHere = dirname(fileURLToPath(import.meta.url));

// kustomize's own file is read by kustomize, never sent to the API server.
const kNotApiObjects = new Set(["kustomize.config.k8s.io/v1beta1/Kustomization"]);

function modulePath(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") {
    return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  }
  return `kubernetes-models/${group ? group + "/" : ""}${version}/${kind}`;
}

async function validate(file, index, object) {
  const where = `${file}[${index}]`;
  if (object === null || typeof object !== "object" || Array.isArray(object)) {
    return `${where}: not an object`;
  }
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return `${where}: needs apiVersion and kind`;
  }
  const name = object.metadata?.name ?? "";
  if (kNotApiObjects.has(`${apiVersion}/${kind}`)) {
    console.log(`${where}: ${apiVersion} ${kind} ${name}: not an API object, skipped`);
    return null;
  }
  let model;
  try {
    model = (await import(modulePath(apiVersion, kind)))[kind];
  } catch (error) {
    return `${where}: no schema for ${apiVersion} ${kind}`;
  }
  if (typeof model !== "function") return `${where}: no schema for ${apiVersion} ${kind}`;
  try {
    new model(object).validate();
  } catch (error) {
    const details = (error.errors ?? []).map((e) => `${e.instancePath} ${e.message}` +
        (e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ""));
    return `${where}: ${apiVersion} ${kind} ${name}: invalid: ${details.join("; ") || error.message}`;
  }
  typed.push({ where: `${where}: ${apiVersion} ${kind} ${name}`, module: modulePath(apiVersion, kind),
               kind, object });
  return null;
}

// Objects that passed validate(), for the field-name check.
const typed = [];

// Type-checks every object of `typed` as `const oN: I<Kind> = {...}` in one program; returns
// the indexes that fail, each with its first message.
function fieldNameErrors() {
  const file = join(kHere, "__manifests__.ts");
  let text = "";
  typed.forEach((entry, i) => {
    text += `import type { I${entry.kind} as T${i} } from "${entry.module}";\n`;
    text += `export const o${i}: T${i} = ${JSON.stringify(entry.object)};\n`;
  });
  const options = {
    strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === file ? text : readFile(name));
  const program = ts.createProgram([file], options, host);
  const errors = new Map();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
    if (!diagnostic.file || diagnostic.file.fileName !== file) {
      errors.set(-1, message);
      continue;
    }
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line;
    const index = Math.floor(line / 2);
    if (!errors.has(index)) errors.set(index, message);
  }
  return errors;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.mjs FILE...");
  process.exit(2);
}
let failures = 0;
for (const file of files) {
  let documents;
  try {
    documents = parseAllDocuments(readFileSync(file, "utf8"));
  } catch (error) {
    console.error(`${file}: ${error.message}`);
    process.exit(2);
  }
  let index = 0;
  for (const document of documents) {
    if (document.errors.length > 0) {
      console.error(`${file}: ${document.errors[0].message}`);
      process.exit(2);
    }
    const object = document.toJS();
    if (object === null) continue;  // an empty document between ---
    const error = await validate(file, index++, object);
    if (error) {
      console.error(error);
      ++failures;
    }
  }
}
const errors = fieldNameErrors();
if (errors.has(-1)) {
  console.error(`type check failed: ${errors.get(-1)}`);
  ++failures;
}
typed.forEach((entry, i) => {
  if (errors.has(i)) {
    console.error(`${entry.where}: invalid: ${errors.get(i)}`);
    ++failures;
  } else {
    console.log(`${entry.where}: valid`);
  }
});
process.exit(failures === 0 ? 0 : 1);
