// The CRDs a project imports: every `imports` entry of its cdk8s.yaml that is a file in the
// repository (`widgets:=crds/widgets.example.com.yaml`) is registered, so its objects are
// validated and its scope is known — by a synth and by `npm run validate` alike. Entries that
// are URLs are the sources `npm run import` downloads bindings from; their kinds are bundled.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { parse } from 'yaml';
import { StrataError, type Finding } from '../fleet/errors.js';
import { kindsOfCrd, parseCrdYaml } from './crd.js';
import { addToRegistry } from './schema.js';

/** What `loadProjectSchemas` registered, and what it could not read. */
export interface ProjectSchemas {
  /** `apiVersion/kind` of every registered kind. */
  readonly kinds: readonly string[];
  /** The CRD files read, relative to the project root. */
  readonly files: readonly string[];
  /** Problems with cdk8s.yaml's `imports` (a file outside the repository, missing or unreadable), located at `cdk8s.yaml`; empty when all were read. */
  readonly findings: readonly Finding[];

}

const loaded = new Map<string, ProjectSchemas>();

/** The repository-relative file of one `imports` entry (`name:=source` or `source`), or undefined for a URL. */
function localFile(entry: string): string | undefined {
  const source = entry.includes(':=') ? entry.slice(entry.indexOf(':=') + 2) : entry;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return undefined;
  return source;
}

/**
 * Parsing a large CRD's YAML costs seconds; its JSON is kept under node_modules/.cache/strata,
 * keyed by the file's content, so only a changed file is parsed again.
 */
function crdDocuments(root: string, file: string): unknown[] {
  const text = readFileSync(join(root, file), 'utf8');
  const modules = join(root, 'node_modules');
  const cached = existsSync(modules) ? join(modules, '.cache', 'strata', `crd-${createHash('sha1').update(text).digest('hex')}.json`) : undefined;
  if (cached && existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as unknown[];
  const docs = parseCrdYaml(text, file);
  if (cached) {
    mkdirSync(join(modules, '.cache', 'strata'), { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(docs));
    renameSync(tmp, cached);
  }
  return docs;
}

/**
 * Registers the CRDs of the project at `root`: the files its cdk8s.yaml `imports` names inside the
 * repository. Once per root and process; a project without cdk8s.yaml registers nothing.
 * A file outside the repository, missing or not a CRD is a finding on `cdk8s.yaml`.
 */
export function loadProjectSchemas(root: string = process.cwd()): ProjectSchemas {
  const done = loaded.get(root);
  if (done) return done;
  const config = join(root, 'cdk8s.yaml');
  const kinds: string[] = [];
  const files: string[] = [];
  const findings: Finding[] = [];
  if (existsSync(config)) {
    const imports = (parse(readFileSync(config, 'utf8')) as { imports?: unknown } | null)?.imports;
    for (const entry of Array.isArray(imports) ? imports : []) {
      const file = typeof entry === 'string' ? localFile(entry) : undefined;
      if (file === undefined) continue;
      const rel = isAbsolute(file) ? relative(root, file) : normalize(file);
      if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
        findings.push({ path: 'cdk8s.yaml', message: `imports: ${file} is outside the repository: commit a pinned copy of the CRD (e.g. under crds/) and name that file` });
        continue;
      }
      if (!existsSync(join(root, rel))) {
        findings.push({ path: 'cdk8s.yaml', message: `imports: ${rel} does not exist` });
        continue;
      }
      try {
        for (const doc of crdDocuments(root, rel)) {
          for (const k of kindsOfCrd(doc, rel)) {
            addToRegistry(k);
            kinds.push(`${k.apiVersion}/${k.kind}`);
          }
        }
        files.push(rel);
      } catch (e) {
        if (!(e instanceof StrataError)) throw e;
        findings.push({ path: 'cdk8s.yaml', message: `imports: ${e.message}` });
      }
    }
  }
  const result = { kinds, files, findings };
  loaded.set(root, result);
  return result;
}
