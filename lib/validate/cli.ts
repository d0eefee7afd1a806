// `npm run validate [-- <dir>]`: checks a committed dist/ tree (default: dist), or a Flux repository
// strata did not write (lib/validate/flux-repo.ts), with the schema and policy checks of a synth (with
// the CRDs the project's cdk8s.yaml names) and prints the grouped report; exits 1 when there is any error.
// First it recovers the tree from an interrupted synth (docs/output.md): exit 3 when the file
// system refuses that (or the tree holds a symbolic link), 4 while a synth is writing it; 2 for a usage error.
import { parseCommandLine, usageError, type Command } from '../synth/command-line.js';
import { EXIT, OutputError } from '../synth/output-errors.js';
import { lexists } from '../synth/output-paths.js';
import { recoverBeforeReading } from '../synth/recover-cli.js';
import { lstatSync } from 'node:fs';
import { validateDist } from './dist.js';

const VALIDATE: Command = { name: 'validate', usage: 'usage: npm run validate [-- [<dir>] [--root <project dir>]]' };
const HELP = `${VALIDATE.usage}
  <dir>                  the tree to check (default: dist): a dist/ tree strata wrote, or any Flux repository
  --root <project dir>   the project whose cdk8s.yaml names the CRDs (default: the current directory)
  -h, --help             this text

what it reads:
  a strata tree (clusters/<c>/kustomization.yaml says "# strata: <c>"): every YAML file below <dir>,
    except flux bootstrap's clusters/<c>/flux-system/
  any other Flux repository: per cluster folder (each <folder>/flux-system/gotk-sync.yaml, else
    clusters/<c>/), what Flux applies there and nothing else: the cluster folder, then the
    spec.path of every Flux Kustomization reached from it (with their targetNamespace, patches,
    images, components, commonMetadata and static postBuild substitution), each built as
    kustomize-controller builds it: a folder's kustomization.yaml with its resources, patches,
    namespace, namePrefix/nameSuffix, labels, images, replicas and generators, or, without one,
    every YAML file below the folder.
    Not read: .github/ and the other files source-controller ignores, patch files (only through the
    kustomization naming them), flux bootstrap's flux-system/ (except gotk-sync.yaml's objects),
    YAML no Kustomization reaches, remote resources and sources outside the repository (OCIRepository,
    ExternalArtifact, other GitRepositories), which are listed as notes

environment: none (the tree and cdk8s.yaml say everything)

exit codes:
  0  valid (warnings may be printed)
  1  errors in the tree, or no cluster in it
  2  usage (an unknown option, a second folder, no such folder, or a file)
  3  the file system refused finishing an interrupted synth, or a symbolic link in the tree
  4  a synth is writing the tree`;

const { values, positionals } = parseCommandLine(VALIDATE, { allowPositionals: true, options: { help: { type: 'boolean', short: 'h' }, root: { type: 'string' } } });
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
if (positionals.length > 1) usageError(VALIDATE, `one folder to validate, not ${positionals.length}: ${positionals.join(' ')}`);
const dir = positionals[0] ?? 'dist';
recoverBeforeReading(dir);
// A dangling link is not "missing": the link check below names it.
if (!lexists(dir)) {
  console.error(`strata: ${dir} does not exist: run \`npm run synth\` first, or name the folder to validate`);
  process.exit(EXIT.usage);
}
if (!lstatSync(dir).isDirectory() && !lstatSync(dir).isSymbolicLink()) {
  console.error(`strata: ${dir} is a file, not a folder: name the dist/ tree or the Flux repository to validate`);
  process.exit(EXIT.usage);
}
try {
  const result = validateDist(dir, { root: values.root });
  // A folder with no cluster at all is not a tree that passed: a CI step pointed at the wrong path.
  if (result.model.clusters.length === 0 && result.exitCode === 0) {
    console.error(`strata: ${dir} holds no cluster: neither a dist/ tree strata wrote (clusters/<c>/kustomization.yaml) nor a Flux repository (<folder>/flux-system/gotk-sync.yaml or clusters/<c>/): name the folder to validate`);
    process.exit(1);
  }
  (result.exitCode === 0 ? console.log : console.error)(result.report);
  process.exit(result.exitCode);
} catch (e) {
  if (!(e instanceof OutputError)) throw e;
  console.error(e.message);
  process.exit(e.exitCode);
}
