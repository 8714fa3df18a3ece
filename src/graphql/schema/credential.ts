import { builder } from '../builder.js';
import { ChatModelConfigRef } from './session.js';

/**
 * Credentials belong to the credentials subgraph; this one only points at them, so its key is not
 * resolvable here and the gateway never asks this subgraph for one.
 */
const CredentialRef = builder.objectRef<{ id: string }>('Credential').implement({
  description: 'A model provider credential, owned by the credentials subgraph.',
  directives: { key: { fields: 'id', resolvable: false } },
  fields: (t) => ({ id: t.exposeID('id') }),
});

builder.objectField(ChatModelConfigRef, 'credential', (t) =>
  t.field({
    type: CredentialRef,
    nullable: true,
    description:
      'The credential the model is called with; the gateway fetches its details from the credentials subgraph.',
    resolve: (config) => ({ id: config.credentialId }),
  }),
);
