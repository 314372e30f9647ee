import type { CodegenConfig } from '@graphql-codegen/cli';

// The typed client: TypedDocumentNode for every operation in libs/client/src/operations, from the
// composed API schema (written by `npm run compose`).
const config: CodegenConfig = {
  schema: 'libs/client/schema.graphql',
  documents: ['libs/client/src/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'libs/client/src/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { JSON: 'unknown', DateTime: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
