// Builds the UI into dist/: esbuild bundles src/main.ts into dist/app.js (one ES module, no
// code splitting), and index.html and src/styles.css are copied beside it. dist/.gitignore stays.
// `node build.mjs --watch` rebuilds on change.
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const watch = process.argv.includes("--watch");

const copyStatic = {
  name: "copy-static",
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length > 0) return;
      await copyFile(join(here, "index.html"), join(dist, "index.html"));
      await copyFile(join(here, "src/styles.css"), join(dist, "styles.css"));
    });
  },
};

await mkdir(dist, { recursive: true });
const options = {
  entryPoints: [join(here, "src/main.ts")],
  outfile: join(dist, "app.js"),
  bundle: true,
  format: "esm",
  target: ["es2022", "safari16"],
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  legalComments: "none",
  logLevel: "info",
  metafile: true,
  plugins: [copyStatic],
};
if (watch) {
  await (await esbuild.context(options)).watch();
} else {
  const result = await esbuild.build(options);
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`dist/app.js: ${bytes} bytes`);
}
