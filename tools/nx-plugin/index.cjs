// GENERATED from index.ts by npm run generate (see compiled.ts); do not edit.
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createNodesV2 = exports.RUNTIME_TAG = void 0;
exports.stageOutputs = stageOutputs;
exports.builderDockerfiles = builderDockerfiles;
exports.runtimeTargets = runtimeTargets;
exports.releaseTarget = releaseTarget;
// Local Nx plugin: one project per runtimes/<lang>/runtime.json with the pipeline's per-language
// targets build -> optimize -> verify -> metadata, and a single `release` target on the pipeline
// project (tools/pipeline) that waits for every runtime's metadata. Targets are thin
// nx:run-commands wrappers around `tsx tools/pipeline/src/cli.ts <stage> <lang>`.
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
/** Tag carried by every runtime project; `release` depends on `tag:runtime` projects' metadata. */
exports.RUNTIME_TAG = 'runtime';
/**
 * Disjoint output globs per stage (same as stageOutputs in tools/pipeline/src/paths.ts), so that
 * restoring one stage from cache never removes another stage's files.
 */
function stageOutputs(lang) {
    return {
        build: [
            `{workspaceRoot}/build/${lang}/${lang}-*.wasm`,
            `{workspaceRoot}/build/${lang}/${lang}-*.build.json`,
            `{workspaceRoot}/build/${lang}/companions/${lang}-*`,
        ],
        optimize: [`{workspaceRoot}/build/${lang}/opt/${lang}-*.wasm`],
        verify: [
            `{workspaceRoot}/build/${lang}/${lang}-*.verify.json`,
            `{workspaceRoot}/build/${lang}/opt/${lang}-*.verify.json`,
        ],
        metadata: ['{projectRoot}/manifest.json'],
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
    // node --import tsx, not npx tsx: npx adds ~0.9 s to every target (measured: 1.36 s vs 0.44 s per start).
    return ['node --import tsx tools/pipeline/src/cli.ts', stage, lang].filter(Boolean).join(' ');
}
function runtimeTargets(lang, runtimeJson) {
    const outputs = stageOutputs(lang);
    // The runtime folder minus what the pipeline writes into it (else metadata would invalidate build).
    const sourceInputs = [
        '{projectRoot}/**/*',
        '!{projectRoot}/manifest.json',
        '!{projectRoot}/**/*.wasm',
        '!{projectRoot}/target/**',
    ];
    // The build stage depends on its own slice of the pipeline only, so that work on the later
    // stages (optimize, verify, release...) does not invalidate the expensive compile.
    const buildPipeline = [
        '{workspaceRoot}/tools/pipeline/src/{cli,errors,paths}.ts',
        '{workspaceRoot}/tools/pipeline/src/{compile,docker,runtime}/**/*.ts',
        '!{workspaceRoot}/tools/pipeline/src/**/*.test.ts',
    ];
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
                ...(stage === 'build' ? buildPipeline : ['pipeline']),
                { env: 'SOURCE_DATE_EPOCH' },
                { env: 'WASMHUB_OPTIMIZER' },
            ],
            outputs: outputs[stage],
            // `nx run go:metadata --ver=1.24` forwards --ver down the chain.
            ...(before ? { dependsOn: [{ target: before, params: 'forward' }] } : {}),
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
        dependsOn: [{ projects: [`tag:${exports.RUNTIME_TAG}`], target: 'metadata' }],
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
    async (files, _options, context) => files.map((file) => {
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
                        targets: runtimeTargets(lang, runtimeJson),
                    },
                },
            },
        ];
    }),
];
