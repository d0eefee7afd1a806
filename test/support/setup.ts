// Every test process synthesizes into its own temp folder, never into the repository's dist/.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.CDK8S_OUTDIR = mkdtempSync(join(tmpdir(), 'strata-test-'));
process.env.STRATA_QUIET = '1';
