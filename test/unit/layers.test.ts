/**
 * The layers of src/ import only downward: domain rules know nothing of the web, the database or
 * the features; features never import the pages composed above them (src/pages/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const SRC = path.resolve('src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The top folders of src/ that a file's relative imports reach. */
function layersImportedBy(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => path.relative(SRC, path.resolve(path.dirname(file), s)).split(path.sep)[0]!);
}

function offenders(layer: string, forbidden: string[]): string[] {
  return sourceFiles(path.join(SRC, layer)).flatMap((f) =>
    layersImportedBy(f)
      .filter((l) => forbidden.includes(l))
      .map((l) => `${path.relative(SRC, f)} → ${l}/`),
  );
}

describe('layers of src/', () => {
  it('domain rules import no feature, page, web or database module', () => {
    expect(offenders('domain', ['features', 'pages', 'web', 'db'])).to.deep.equal([]);
  });

  it('features never import a page or a composition above them (the jobs\' wiring, the shared services, the app)', () => {
    expect(offenders('features', ['pages', 'jobs', 'services.ts', 'app.ts', 'server.ts'])).to.deep.equal([]);
  });

  it('lib imports only lib', () => {
    expect(offenders('lib', ['features', 'pages', 'web', 'db', 'domain'])).to.deep.equal([]);
  });
});
