// GENERATED from index.ts by npm run generate (see compiled.ts); do not edit.
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createNodesV2 = exports.stageEntries = exports.pipelineSrc = exports.PIPELINE_PROJECT = exports.RUNTIME_TAG = void 0;
exports.stageOutputs = stageOutputs;
exports.builderDockerfiles = builderDockerfiles;
exports.importClosure = importClosure;
exports.stageSourceInputs = stageSourceInputs;
exports.runtimeTargets = runtimeTargets;
exports.releaseTarget = releaseTarget;
// Local Nx plugin: one project per runtimes/<lang>/runtime.json with the pipeline's per-language
// targets build -> optimize -> verify -> metadata, and a single `release` target on the pipeline
// project (tools/pipeline) that waits for every runtime's metadata. Targets are thin
// nx:run-commands wrappers around `node tools/pipeline/dist/cli.js <stage> <lang>` (the compiled pipeline).
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
/** Tag carried by every runtime project; `release` depends on `tag:runtime` projects' metadata. */
exports.RUNTIME_TAG = 'runtime';
/** The Nx project of tools/pipeline (its package.json name). */
exports.PIPELINE_PROJECT = '@wasmhub/pipeline';
/** The version part of an output path: the version `--ver` names, else every version (`*`). */
const VERSION = '{options.ver ?? *}';
/**
 * Disjoint output globs per stage (stageOutputs in tools/pipeline/src/paths.ts, narrowed to one version
 * under --ver), so that restoring one stage from cache never removes another stage's files, and the cache
 * entry of a `--ver=1.24` task holds only 1.24's files: it can never bring back another version's file as
 * it was when that entry was stored (e.g. an old go-1.23.metadata.json after 1.23 was described again).
 */
function stageOutputs(lang) {
    const out = (path) => `{workspaceRoot}/build/${lang}/${path}`;
    return {
        build: [
            out(`${lang}-${VERSION}.wasm`),
            out(`${lang}-${VERSION}.build.json`),
            out(`companions/${lang}-${VERSION}-*`),
        ],
        optimize: [out(`opt/${lang}-${VERSION}.wasm`)],
        verify: [out(`${lang}-${VERSION}.verify.json`), out(`opt/${lang}-${VERSION}.verify.json`)],
        metadata: [out(`${lang}-${VERSION}.metadata.json`)],
    };
}
const previous = {
    build: undefined,
    optimize: 'build',
    verify: 'optimize',
    metadata: 'verify',
};
/** Builder Dockerfiles a runtime.json names (`versions[].builder`). */
function builderDockerfiles(runtimeJson) {
    const versions = runtimeJson?.versions;
    const names = new Set();
    for (const v of Array.isArray(versions) ? versions : []) {
        if (typeof v?.builder === 'string')
            names.add(v.builder);
    }
    return [...names].sort().map((name) => `{workspaceRoot}/docker/${name}.Dockerfile`);
}
function pipelineCommand(stage, lang) {
    // The compiled pipeline, not `node --import tsx .../cli.ts`: tsx's start and on-the-fly transpiling were
    // ~0.4 s of every target. dist/ is the output of @wasmhub/pipeline:build, which every target depends on
    // (cached; rebuilt before any stage runs whenever a pipeline source changed, so it is never stale).
    return ['node tools/pipeline/dist/cli.js', stage, lang].filter(Boolean).join(' ');
}
/** The target that compiles tools/pipeline/src to tools/pipeline/dist (tsc; see its package.json). */
const compiledPipeline = { projects: [exports.PIPELINE_PROJECT], target: 'build' };
/** The pipeline's sources, and the command.ts each stage runs (same as tools/pipeline/src/stages.ts). */
exports.pipelineSrc = 'tools/pipeline/src';
exports.stageEntries = {
    build: 'compile/command.ts',
    optimize: 'optimize/command.ts',
    verify: 'verify/command.ts',
    metadata: 'metadata/command.ts',
    release: 'release/command.ts',
    npm: 'release/npm/command.ts',
};
/** Workspace packages the pipeline imports by name, and the source file each name stands for. */
const workspacePackages = { '@wasmhub/contract': 'packages/contract/src/index.ts' };
// `from '<spec>'`, `import '<spec>'` and `import('<spec>')` with a relative or workspace specifier.
// Type-only imports count too: a module can name a file it starts by path (verify/run-wasi.ts starts
// wasi-child beside itself and imports its types), and a types-only change costs one rebuild at most.
const importSpecifier = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+|@wasmhub\/[\w-]+)['"]/g;
/**
 * Every workspace file the entries load, following relative imports and workspace packages
 * (`@wasmhub/contract` to its source), as workspace-relative paths, sorted. Test files are never
 * reached: production code does not import them.
 */
function importClosure(workspaceRoot, entries) {
    const seen = new Set();
    const pending = [...entries];
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
        if (seen.has(file) || !(0, node_fs_1.existsSync)((0, node_path_1.join)(workspaceRoot, file)))
            continue;
        seen.add(file);
        if (!file.endsWith('.ts'))
            continue;
        const source = (0, node_fs_1.readFileSync)((0, node_path_1.join)(workspaceRoot, file), 'utf8');
        for (const [, spec] of source.matchAll(importSpecifier)) {
            if (spec === undefined)
                continue;
            const target = spec.startsWith('.') ? node_path_1.posix.join(node_path_1.posix.dirname(file), spec) : workspacePackages[spec];
            if (target !== undefined)
                pending.push(target);
        }
    }
    return [...seen].sort();
}
/** Per stage, the pipeline files it runs (cli.ts and what the stage's command.ts imports), as Nx inputs. */
function stageSourceInputs(workspaceRoot) {
    const inputs = (stage) => importClosure(workspaceRoot, ['cli.ts', exports.stageEntries[stage]].map((file) => `${exports.pipelineSrc}/${file}`)).map((file) => `{workspaceRoot}/${file}`);
    return {
        build: inputs('build'),
        optimize: inputs('optimize'),
        verify: inputs('verify'),
        metadata: inputs('metadata'),
    };
}
function runtimeTargets(lang, runtimeJson, stageSources) {
    const outputs = stageOutputs(lang);
    // The runtime folder (sources only: no stage writes into it), minus build products of local tools.
    const sourceInputs = ['{projectRoot}/**/*', '!{projectRoot}/**/*.wasm', '!{projectRoot}/target/**'];
    const targets = {};
    for (const stage of ['build', 'optimize', 'verify', 'metadata']) {
        const before = previous[stage];
        targets[stage] = {
            executor: 'nx:run-commands',
            options: {
                command: pipelineCommand(stage, lang),
                cwd: '{workspaceRoot}',
                forwardAllArgs: true,
                env: { NX_DAEMON: 'false' },
            },
            cache: true,
            inputs: [
                ...sourceInputs,
                ...builderDockerfiles(runtimeJson),
                '{workspaceRoot}/runtimes/runtime.schema.json',
                // Each stage depends on the pipeline code it runs only, so that work on the later stages
                // (optimize, verify, release...) or on tests does not invalidate the expensive compile.
                ...stageSources[stage],
                ...(stage === 'build'
                    ? []
                    : ['{workspaceRoot}/runtimes/conformance.json', '{workspaceRoot}/manifest.schema.json']),
                { env: 'SOURCE_DATE_EPOCH' },
                { env: 'WASMHUB_OPTIMIZER' },
            ],
            outputs: outputs[stage],
            // `nx run go:metadata --ver=1.24` forwards --ver down the chain.
            dependsOn: [compiledPipeline, ...(before ? [{ target: before, params: 'forward' }] : [])],
            metadata: { description: `${stage} the ${lang} runtime (all versions, or --ver=<label>)` },
        };
    }
    return targets;
}
function releaseTarget() {
    return {
        executor: 'nx:run-commands',
        options: {
            command: pipelineCommand('release'),
            cwd: '{workspaceRoot}',
            forwardAllArgs: true,
            env: { NX_DAEMON: 'false' },
        },
        // A release has remote side effects: never replayed from cache.
        cache: false,
        dependsOn: [compiledPipeline, { projects: [`tag:${exports.RUNTIME_TAG}`], target: 'metadata' }],
        metadata: { description: 'Release every runtime once all runtimes have their metadata' },
    };
}
function readJson(file) {
    try {
        return JSON.parse((0, node_fs_1.readFileSync)(file, 'utf8'));
    }
    catch {
        return {};
    }
}
exports.createNodesV2 = [
    '{runtimes/*/runtime.json,tools/pipeline/package.json}',
    async (files, _options, context) => {
        const stageSources = stageSourceInputs(context.workspaceRoot);
        return files.map((file) => {
            const root = (0, node_path_1.dirname)(file);
            if (file === 'tools/pipeline/package.json') {
                return [file, { projects: { [root]: { root, targets: { release: releaseTarget() } } } }];
            }
            const lang = root.split('/').pop();
            const runtimeJson = readJson((0, node_path_1.join)(context.workspaceRoot, file));
            return [
                file,
                {
                    projects: {
                        [root]: {
                            name: lang,
                            root,
                            projectType: 'application',
                            tags: [exports.RUNTIME_TAG, `lang:${lang}`],
                            targets: runtimeTargets(lang, runtimeJson, stageSources),
                            // The stages run the pipeline's code: a change there is a change to every runtime.
                            implicitDependencies: [exports.PIPELINE_PROJECT],
                        },
                    },
                },
            ];
        });
    },
];
