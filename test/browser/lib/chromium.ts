/**
 * Headless Chromium for the browser test and benchmark: Debian's `/usr/bin/chromium` driven by
 * playwright-core (which never downloads a browser of its own), WebGL 2 through SwiftShader.
 * @module
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The Chromium binary: Debian's package, or `LATENTKIT_CHROMIUM` to point elsewhere. */
export const CHROMIUM_PATH = process.env['LATENTKIT_CHROMIUM'] ?? '/usr/bin/chromium';

/** Why Chromium cannot run here, with what to do about it; `undefined` when it can. */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  return (
    `Chromium is not installed at ${CHROMIUM_PATH}. Install Debian's package with \`sudo apt-get install -y chromium\` ` +
    '(.ci/run does this), or set LATENTKIT_CHROMIUM to a Chromium binary. playwright-core never downloads a browser.'
  );
}

/**
 * Launches headless Chromium. `--use-angle=swiftshader` gives WebGL 2 without a GPU; the other flags stop
 * Chromium's background traffic to Google's hosts, which this network refuses.
 */
export async function launchChromium(): Promise<Browser> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--use-angle=swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}
