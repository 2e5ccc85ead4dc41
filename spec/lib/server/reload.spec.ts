import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TreeWatcher } from '../../../lib/server/reload';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('TreeWatcher (lib/server/reload.ts)', () => {
  let dir: string;
  let watcher: TreeWatcher | undefined;
  let changes: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'starwire-watch-'));
    mkdirSync(join(dir, 'lib'));
    mkdirSync(join(dir, 'node_modules', 'pkg'), { recursive: true });
    changes = [];
  });

  afterEach(() => {
    watcher?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a burst of changes in the tree once, after the debounce', async () => {
    watcher = new TreeWatcher(dir, (file) => changes.push(file), 80);
    writeFileSync(join(dir, 'a.js'), '1');
    writeFileSync(join(dir, 'lib', 'b.js'), '2');
    writeFileSync(join(dir, 'lib', 'c.js'), '3');
    await sleep(30);
    assert.equal(changes.length, 0);
    await sleep(250);
    assert.equal(changes.length, 1);
    assert.ok(changes[0].startsWith(dir));
  });

  it('ignores node_modules and dot directories, and watches directories made after it started', async () => {
    watcher = new TreeWatcher(dir, (file) => changes.push(file), 30);
    writeFileSync(join(dir, 'node_modules', 'pkg', 'index.js'), '1');
    mkdirSync(join(dir, '.cache'));
    await sleep(150);
    assert.deepEqual(changes, []);
    mkdirSync(join(dir, 'later'));
    await sleep(150);
    changes = [];
    writeFileSync(join(dir, 'later', 'x.js'), '1');
    await sleep(150);
    assert.deepEqual(changes, [join(dir, 'later', 'x.js')]);
  });

  it('watches a directory deleted and made again (rm -rf dist && tsc), and the directories below it', async () => {
    mkdirSync(join(dir, 'lib', 'deep'));
    watcher = new TreeWatcher(dir, (file) => changes.push(file), 30);
    // At once, as a build script would: the events arrive after the directory is back.
    rmSync(join(dir, 'lib'), { recursive: true });
    mkdirSync(join(dir, 'lib', 'deep'), { recursive: true });
    await sleep(150);
    changes = [];
    writeFileSync(join(dir, 'lib', 'deep', 'x.js'), '1');
    await sleep(150);
    assert.deepEqual(changes, [join(dir, 'lib', 'deep', 'x.js')]);

    // And with a pause between the two.
    rmSync(join(dir, 'lib'), { recursive: true });
    await sleep(150);
    mkdirSync(join(dir, 'lib'));
    await sleep(150);
    changes = [];
    writeFileSync(join(dir, 'lib', 'y.js'), '1');
    await sleep(150);
    assert.deepEqual(changes, [join(dir, 'lib', 'y.js')]);
  });

  it('watches the root again once it is deleted and made again, however long that takes', async () => {
    watcher = new TreeWatcher(dir, (file) => changes.push(file), 30);
    rmSync(dir, { recursive: true });
    await sleep(300);
    mkdirSync(join(dir, 'lib'), { recursive: true });
    await sleep(300);
    assert.ok(changes.length > 0, 'the deletion and the new root are changes');
    changes = [];
    writeFileSync(join(dir, 'lib', 'x.js'), '1');
    await sleep(150);
    assert.deepEqual(changes, [join(dir, 'lib', 'x.js')]);

    // Made again before the watcher hears of the deletion.
    rmSync(dir, { recursive: true });
    mkdirSync(dir);
    await sleep(150);
    changes = [];
    writeFileSync(join(dir, 'y.js'), '1');
    await sleep(150);
    assert.deepEqual(changes, [join(dir, 'y.js')]);
  });
});
