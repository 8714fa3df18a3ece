// Every module registers its types and root fields on the builder; this file only gathers them.
import { builder } from '../builder.js';
import './scalars.js';
import './enums.js';
import './connection.js';
import './permission.js';
import './content.js';
import './message.js';
import './task.js';
import './agent-state.js';
import './session.js';
import './agent.js';
import './credential.js';
import './session-events.js';
import './results.js';
import './session-writes.js';
import './state-writes.js';
import './message-writes.js';
import './task-writes.js';

/**
 * The subgraph schema: ours plus `_service` and `_entities`, sorted. Federation 2.6 is pinned so a
 * plugin upgrade cannot change what gateways must support without a schema.graphql diff.
 */
export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.6' });
