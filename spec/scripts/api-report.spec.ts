import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/cli-process';

const SCRIPT = join(ROOT, 'scripts', 'api-report.mjs');
const REPORT = join(ROOT, 'api-report.txt');

function runCheck(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, '--check', ...args], { cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('public API report (scripts/api-report.mjs)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'starwire-api-report-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the built declarations export exactly what api-report.txt lists', async () => {
    const { code, stdout } = await runCheck([]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /public exports, as in api-report\.txt/);
  });

  it("lists the names of DESIGN.md's contract with their kinds, for both entry points", () => {
    const lines = new Set(readFileSync(REPORT, 'utf8').split('\n'));
    for (const line of [
      'starwire\tApp\tclass',
      'starwire\tinject\tfunction',
      'starwire\tstatus\tnamespace',
      'starwire\tstatus.WS_1008_POLICY_VIOLATION\tconst',
      'starwire\tWebSocketRoute\tclass',
      'starwire\tTestClient\tclass',
      'starwire/client\tStarwireClient\tclass',
    ]) {
      assert.ok(lines.has(line), `api-report.txt lacks ${line.replace(/\t/g, ' ')}`);
    }
  });

  it('fails naming an export that was added or removed without updating the list', async () => {
    const expected = readFileSync(REPORT, 'utf8').split('\n').filter(Boolean);
    const edited = [...expected.filter((line) => line !== 'starwire\tRoute\tclass'), 'starwire\tRemovedLongAgo\tfunction'];
    const file = join(dir, 'api-report.txt');
    writeFileSync(file, `${edited.join('\n')}\n`);
    const { code, stdout } = await runCheck(['--expected', file]);
    assert.equal(code, 1);
    assert.match(stdout, /^\+ starwire Route class$/m);
    assert.match(stdout, /^- starwire RemovedLongAgo function$/m);
    assert.match(stdout, /1 added, 1 removed/);
  });

  it('keeps members marked @internal out of the published declarations (stripInternal)', () => {
    // The WebSocket class and the two halves it extends.
    const declarations = ['websocket', 'websocket-receive', 'websocket-send']
      .map((file) => readFileSync(join(ROOT, 'dist', 'lib', 'websocket', `${file}.d.ts`), 'utf8'))
      .join('\n');
    assert.match(declarations, /receiveJson/);
    assert.doesNotMatch(declarations, /armHandshakeTimeout|netSocket|onMessage|disconnectRaiser/);
  });
});
