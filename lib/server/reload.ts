import { type Dirent, existsSync, type FSWatcher, readdirSync, type Stats, statSync, watch } from 'node:fs';
import { basename, join, sep } from 'node:path';

/** Directories never watched: installed packages and tool state (.git, .cache, ...). */
function ignored(name: string): boolean {
  return name === 'node_modules' || name.startsWith('.');
}

/**
 * Watches a directory tree for `--reload` and calls `onChange` once per burst of changes (a
 * compiler writing many files is one restart). One non-recursive watcher per directory rather
 * than `fs.watch(..., { recursive: true })`: on Linux, Node's recursive mode walks and watches
 * every directory, `node_modules` included, which a module at the project root would pay for.
 *
 * @example
 * const watcher = new TreeWatcher('dist', (file) => restart(file));
 * // later: watcher.close();
 */
export class TreeWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private timer: NodeJS.Timeout | undefined = undefined;
  /** Polls for the root while it is gone: nothing else would see it come back. */
  private rootPoll: NodeJS.Timeout | undefined = undefined;
  private lastFile = '';

  constructor(
    private readonly root: string,
    private readonly onChange: (file: string) => void,
    private readonly debounceMs = 150,
  ) {
    this.add(root);
  }

  close(): void {
    clearTimeout(this.timer);
    clearInterval(this.rootPoll);
    this.rootPoll = undefined;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private add(dir: string): void {
    if (this.watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => this.changed(dir, name));
    } catch {
      return; // Gone already, or not readable: nothing to watch.
    }
    // A removed directory's watcher may error; forget it rather than crash.
    watcher.on('error', () => {
      watcher.close();
      if (this.watchers.get(dir) === watcher) this.watchers.delete(dir);
    });
    this.watchers.set(dir, watcher);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const child of entries) if (child.isDirectory() && !ignored(child.name)) this.add(join(dir, child.name));
  }

  /** Stops watching `dir` and the directories below it, which are gone (or are others now). */
  private forget(dir: string): void {
    for (const [path, watcher] of this.watchers) {
      if (path !== dir && !path.startsWith(dir + sep)) continue;
      watcher.close();
      this.watchers.delete(path);
    }
  }

  private changed(dir: string, name: string | Buffer | null): void {
    const file = name === null ? dir : join(dir, String(name));
    // A directory's watcher reports its own deletion under its own name. The parent's watcher
    // takes care of the others; the root has none.
    if (dir === this.root && name !== null && String(name) === basename(dir) && !existsSync(file)) this.rootDeleted();
    if (name !== null && ignored(String(name))) return;
    let stats: Stats | undefined;
    try {
      stats = statSync(file);
    } catch {
      // Removed: still a change.
    }
    // A directory whose entry changed may be new, or deleted and made again (`rm -rf dist &&
    // tsc`), which leaves the old watcher (and those below it) seeing nothing: watch it afresh.
    // A removed one needs none. Its inode cannot tell, as a new directory may reuse it.
    if (name !== null) this.forget(file);
    if (stats?.isDirectory()) this.add(file);
    this.lastFile = file;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onChange(this.lastFile), this.debounceMs);
  }

  /** Watches the root afresh once it exists again (at once if it was made again already). */
  private rootDeleted(): void {
    this.forget(this.root);
    const again = (): boolean => {
      if (!existsSync(this.root)) return false;
      clearInterval(this.rootPoll);
      this.rootPoll = undefined;
      this.add(this.root);
      this.changed(this.root, null);
      return true;
    };
    if (this.rootPoll === undefined && !again()) this.rootPoll = setInterval(again, 100);
  }
}
