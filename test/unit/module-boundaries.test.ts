import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHARED = join(ROOT, 'shared');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** `shared/<folder>/x.ts` → folder; a file at shared/'s top (config.ts) is its own module. */
const moduleOf = (path: string): string => relative(SHARED, path).split('/')[0]?.replace(/\.ts$/, '') ?? '';

const IMPORT = /(?:from|import\()\s*'([^']+)'/g;

/** Edges "a -> b" between shared/ modules, from every import of every file under shared/. */
function sharedEdges(): { edges: Set<string>; relativeEscapes: string[] } {
  const edges = new Set<string>();
  const relativeEscapes: string[] = [];
  for (const file of sourceFiles(SHARED)) {
    const from = moduleOf(file);
    for (const [, spec = ''] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (spec.startsWith('../')) relativeEscapes.push(`${relative(ROOT, file)}: ${spec}`);
      if (!spec.startsWith('#shared/')) continue;
      const to = spec.slice('#shared/'.length).split('/')[0]?.replace(/\.js$/, '') ?? '';
      if (to !== from) edges.add(`${from} -> ${to}`);
    }
  }
  return { edges, relativeEscapes };
}

describe('module boundaries of shared/', () => {
  const { edges, relativeEscapes } = sharedEdges();

  it('sees the real dependency graph (guards the scan itself)', () => {
    expect(edges).toContain('recordings -> storage');
    expect(edges).toContain('privacy -> storage');
  });

  it('has no two folders importing each other', () => {
    const mutual = [...edges].filter((edge) => {
      const [a, b] = edge.split(' -> ');
      return a !== undefined && b !== undefined && a < b && edges.has(`${b} -> ${a}`);
    });
    expect(mutual).toEqual([]);
  });

  it('keeps the storage layout and the SignalWire client below the features that use them', () => {
    const below = ['storage', 'signalwire', 'validation', 'observability', 'security'];
    const upward = [...edges].filter(
      (edge) =>
        below.some((low) => edge.startsWith(`${low} -> `)) &&
        /-> (agent|consent|privacy|recordings|payments|swaig|swml)$/.test(edge),
    );
    expect(upward).toEqual([]);
  });

  it('reaches other folders through #shared, never ../', () => {
    expect(relativeEscapes).toEqual([]);
  });
});
