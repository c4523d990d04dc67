// What every command starts from: the configuration (flags > env > file > default) and a logger that redacts
// every configured secret.
import { loadConfig, configuredSecrets, type ConfigInput, type LoadedConfig } from '../config/load.js';
import { globalFlags, type GlobalOptions } from '../config/ledger.js';
import type { Config } from '../config/schema.js';
import { createLogger, type Logger, type LogLevel } from '../log/logger.js';

export type { GlobalOptions };

export interface Runtime {
  loaded: LoadedConfig;
  config: Config;
  logger: Logger;
}

export function loadRuntime(opts: GlobalOptions, extraFlags: NonNullable<ConfigInput['flags']> = {}): Runtime {
  const loaded = loadConfig({
    configFile: opts.config,
    flags: { ...globalFlags(opts), ...extraFlags },
  });
  const logger = createLogger({ level: loaded.config.log.level as LogLevel, format: loaded.config.log.format });
  for (const secret of configuredSecrets(loaded)) logger.redactor.add(secret);
  for (const msg of loaded.warnings) logger.warn('config.ignored_keys', { msg });
  return { loaded, config: loaded.config, logger };
}
