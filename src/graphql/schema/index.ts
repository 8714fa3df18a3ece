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

export const schema = builder.toSchema({ sortSchema: true });
