// `cem analyze` (npm run build): dist/custom-elements.json, which editors and framework tooling
// read. Only the two elements are analysed, and the manifest names the files the package ships.
// test/build/manifest.test.ts compares it with the running elements and with the docs.

/** The entries that register each tag (package.json `exports`), for its definition export. */
const REGISTERED_BY = { 'video-consult': ['dist/call.js', 'dist/index.js'], 'video-consult-check': ['dist/check.js', 'dist/index.js'] };

const shipped = (path) => path.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js');

/** Points every path at dist/, drops what the analyser takes for attributes but Lit does not observe. */
function truthful() {
  return {
    name: 'video-consult-truthful-manifest',
    packageLinkPhase({ customElementsManifest: manifest }) {
      const definitions = [];
      for (const mod of manifest.modules) {
        mod.path = shipped(mod.path);
        for (const declaration of mod.declarations ?? []) {
          // A base class of an element (its properties) is no element of its own.
          if (!declaration.tagName) delete declaration.customElement;
          // Reactive state (`_steps: { state: true }`) is never an attribute, and `_` names are private.
          declaration.attributes = declaration.attributes?.filter((a) => !a.fieldName?.startsWith('_'));
          declaration.members = declaration.members?.filter((m) => !m.name.startsWith('_') && !m.name.startsWith('#'));
          for (const ref of [declaration.superclass, ...(declaration.members ?? []).map((m) => m.inheritedFrom)]) {
            if (ref?.module) ref.module = shipped(ref.module);
          }
          for (const entry of REGISTERED_BY[declaration.tagName] ?? []) {
            definitions.push({ entry, tagName: declaration.tagName, declaration: { name: declaration.name, module: mod.path } });
          }
        }
        for (const exported of mod.exports ?? []) {
          if (exported.declaration?.module) exported.declaration.module = shipped(exported.declaration.module);
        }
      }
      for (const { entry, tagName, declaration } of definitions) {
        let mod = manifest.modules.find((m) => m.path === entry);
        if (!mod) manifest.modules.push((mod = { kind: 'javascript-module', path: entry, declarations: [], exports: [] }));
        mod.exports.push({ kind: 'custom-element-definition', name: tagName, declaration });
      }
    },
  };
}

export default {
  globs: ['src/element/video-consult.ts', 'src/element/video-consult-properties.ts', 'src/element/video-consult-check.ts'],
  outdir: 'dist',
  litelement: true,
  plugins: [truthful()],
};
