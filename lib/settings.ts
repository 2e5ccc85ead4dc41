/** App-wide settings; every field has a safe default. */
export interface Settings {
  /** Show error messages and stacks in 500 responses and 1011 close reasons. Default false. */
  debug: boolean;
  /** Largest request body read, in bytes; larger bodies get 413 without being read. Default 1 MiB. */
  maxBodySize: number;
  /** Where unexpected errors are reported. Default: `console.error`. */
  logError: (message: string, error: unknown) => void;
}

export const defaultSettings: Settings = {
  debug: false,
  maxBodySize: 1024 * 1024,
  logError: (message, error) => console.error(message, error),
};

export function resolveSettings(partial: Partial<Settings> = {}): Settings {
  const settings = { ...defaultSettings, ...partial };
  if (!Number.isInteger(settings.maxBodySize) || settings.maxBodySize < 0) {
    throw new TypeError(`settings.maxBodySize must be a non-negative integer, got ${settings.maxBodySize}`);
  }
  return settings;
}
