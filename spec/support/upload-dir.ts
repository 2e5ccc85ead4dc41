import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A folder of its own for an app's uploads (`settings.forms.uploadDir`), so a spec can see
 * that every request's temporary files are gone once it ends.
 *
 * @example
 * const uploads = new UploadDir();
 * const app = new App({ routes, settings: { forms: { uploadDir: uploads.path } } });
 * after(() => uploads.remove());
 * await uploads.waitEmpty();
 */
export class UploadDir {
  readonly path = mkdtempSync(join(tmpdir(), 'starwire-spec-uploads-'));

  /** What is in the folder now (one temporary folder per request that spooled a file). */
  entries(): string[] {
    return readdirSync(this.path);
  }

  /** Resolves once the folder is empty; fails after `timeout` ms naming what is left. */
  async waitEmpty(timeout = 2000): Promise<void> {
    const deadline = Date.now() + timeout;
    while (this.entries().length > 0) {
      if (Date.now() > deadline) throw new Error(`uploads left behind in ${this.path}: ${this.entries().join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
