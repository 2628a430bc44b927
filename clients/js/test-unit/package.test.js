// The package as npm would publish it: its metadata, and exactly the files `npm pack` puts in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

test('package.json names the license, repository, types, entry points and published files', () => {
  assert.equal(pkg.license, 'BSD-3-Clause');
  assert.equal(pkg.repository.type, 'git');
  assert.equal(pkg.repository.directory, 'clients/js');
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.types, './src/clu-ws.d.ts');
  assert.deepEqual(pkg.exports['.'], { types: './src/clu-ws.d.ts', default: './src/clu-ws.js' });
  assert.equal(Object.keys(pkg.exports['.'])[0], 'types', 'TypeScript reads the first matching condition');
  assert.equal(pkg.dependencies, undefined, 'the client has no runtime dependency');
  for (const file of [pkg.main, pkg.types, pkg.exports['.'].default, pkg.exports['.'].types]) {
    assert.ok(existsSync(join(root, file)), `${file} exists`);
  }
});

test('npm pack publishes the module, its declarations, the README and package.json, and nothing else', () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const output = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'silent', npm_config_update_notifier: 'false' },
  });
  const [packed] = JSON.parse(output);

  assert.equal(packed.name, '@clu-ws/client');
  assert.deepEqual(
    packed.files.map((f) => f.path).sort(),
    ['README.md', 'package.json', 'src/clu-ws.d.ts', 'src/clu-ws.js'],
  );
});
