import { stringify } from 'yaml';

// Stable YAML: sorted keys, no line folding, no anchors for repeated objects, block style.
// YAML 1.1 quoting, because Kubernetes reads manifests with a YAML 1.1 parser: unquoted `on`, `yes`,
// `0755` or `1_000` would arrive as a boolean or a number, not the string that was meant.
const OPTIONS = { version: '1.1', sortMapEntries: true, lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false } as const;

/** One YAML document, preceded by `# comment` lines when given. */
export function toYaml(value: unknown, comment?: string): string {
  const head = comment ? comment.split('\n').map((line) => `# ${line}\n`).join('') : '';
  return head + stringify(value, OPTIONS);
}

/** Several documents in one file, separated by `---`. */
export function toMultiDocYaml(docs: readonly { value: unknown; comment?: string }[]): string {
  return docs.map((d) => toYaml(d.value, d.comment)).join('---\n');
}
