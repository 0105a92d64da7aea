import tseslint from 'typescript-eslint';

// Inside core the arrows point one way: delivery -> session -> credentials -> config -> the shared
// files at the top of core (errors, events, clock, redact). Each folder may not import the ones above it.
const CORE_LAYERS = ['config', 'credentials', 'session', 'delivery'];
const NO_VSCODE = { name: 'vscode', message: 'src/core must not import vscode; put VS Code code in src/vscode.' };
const coreLayerRules = CORE_LAYERS.map((layer, i) => ({
  files: [`src/core/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [NO_VSCODE],
        patterns: [
          { group: ['**/vscode/*'], message: 'src/core must not import src/vscode.' },
          ...CORE_LAYERS.slice(i + 1).map((higher) => ({ group: [`../${higher}/*`], message: `core/${layer} may not import core/${higher}: the arrows go delivery -> session -> credentials -> config.` })),
        ],
      },
    ],
  },
}));

// The modules that esbuild.js bundles only into the lazily required chunks (dist/engine.js,
// dist/stsClient.js, dist/credentialSources.js, dist/ssoClients.js). The rest of the extension loads them through
// src/vscode/lazyChunks.ts; everywhere else a value import would pull them into the activation bundle.
const LAZY_CHUNK_MODULES = [
  'core/engineChunk',
  'core/config/atomicWrite',
  'core/config/configAssist',
  'core/config/configEdits',
  'core/config/diagnostics',
  'core/config/identityCenterProfiles',
  'core/config/iniDocument',
  'core/config/knownKeys',
  'core/config/profileSummary',
  'core/config/profiles',
  'core/config/sharedFiles',
  'core/config/sourceChain',
  'core/config/ssoSessionEdits',
  'core/credentials/cliCache',
  'core/credentials/configuredEndpoint',
  'core/credentials/roleSessionName',
  'core/credentials/sdkCredentialSources',
  'core/credentials/sourceCredentials',
  'core/credentials/sso/loopbackCallback',
  'core/credentials/sso/signIn',
  'core/credentials/sso/ssoClients',
  'core/credentials/sso/ssoConfig',
  'core/credentials/sso/ssoRoleCredentials',
  'core/credentials/sso/startUrlProbe',
  'core/credentials/sso/tokenCache',
  'core/credentials/sso/tokenService',
  'core/credentials/sso/discovery',
  'core/credentials/stsClient',
  'core/credentials/stsEndpoint',
  'core/credentials/stsErrors',
  'core/delivery/consoleFederation',
  'core/delivery/credentialEndpoint',
  'core/session/resolveSession',
];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', '.cache/**', 'node_modules/**', '*.js', '*.mjs', 'scripts/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    // core/ is plain Node: unit-tested without an editor, reusable, and never tied to the VS Code API.
    files: ['src/core/*.ts'],
    ignores: ['src/core/engineChunk.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [NO_VSCODE], patterns: [{ group: ['./*/*', '**/vscode/*'], message: 'The files at the top of core (errors, events, clock, redact) are used by every folder and import none of them.' }] }],
    },
  },
  { files: ['src/core/engineChunk.ts'], rules: { 'no-restricted-imports': ['error', { paths: [NO_VSCODE], patterns: ['**/vscode/*'] }] } },
  ...coreLayerRules,
  {
    files: ['src/vscode/**/*.ts', 'src/extension.ts'],
    ignores: ['src/vscode/lazyChunks.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: LAZY_CHUNK_MODULES.map((m) => `**/${m}`),
              allowTypeImports: true,
              message: 'This module is in a lazily loaded chunk: import only its types here, and reach its values through vscode/lazyChunks.ts.',
            },
          ],
        },
      ],
    },
  },
);
