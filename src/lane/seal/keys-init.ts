import { constants } from "node:fs";
import { mkdir, open, stat } from "node:fs/promises";
import { join } from "node:path";
import { FailclosedError } from "../../kernel/errors.js";
import { generateKeyring, type JwkSetFile } from "./keygen.js";

export const PUBLIC_KEYRING_FILE = "public.jwks.json";
export const privateKeyringFile = (role: string): string => `${role}.private.jwks.json`;

/** Creates the file only if absent (never overwrites a key) with the given permissions. */
async function writeNew(path: string, content: JwkSetFile, mode: number): Promise<void> {
  let handle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code === "EEXIST" ? "FILE_EXISTS" : "FILE_UNREADABLE";
    throw new FailclosedError(
      code,
      `${path}: cannot create (${(cause as NodeJS.ErrnoException).code ?? "error"})`,
      { cause },
    );
  }
  try {
    await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`);
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

/**
 * `failclosed keys init DIR`: a fresh keyring for every role. Private halves go one file per
 * role with mode 0600 in a directory with mode 0700; public halves together in public.jwks.json.
 */
export async function initKeyringDirectory(
  dir: string,
  options: { testOnly?: boolean } = {},
): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  if (!info.isDirectory()) throw new FailclosedError("USAGE", `${dir} is not a directory`);
  const generated = await generateKeyring({ testOnly: options.testOnly ?? false });
  const targets = [
    ...[...generated.privateByRole.keys()].map((role) => join(dir, privateKeyringFile(role))),
    join(dir, PUBLIC_KEYRING_FILE),
  ];
  for (const target of targets) {
    const exists = await stat(target).then(
      () => true,
      () => false,
    );
    if (exists) throw new FailclosedError("FILE_EXISTS", `${target} exists; refusing to overwrite a keyring`);
  }
  const written: string[] = [];
  for (const [role, set] of generated.privateByRole) {
    const path = join(dir, privateKeyringFile(role));
    await writeNew(path, set, 0o600);
    written.push(path);
  }
  const publicPath = join(dir, PUBLIC_KEYRING_FILE);
  await writeNew(publicPath, generated.publicSet, 0o644);
  written.push(publicPath);
  return written;
}
