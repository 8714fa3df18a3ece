import {
  MESSAGE_ROLES,
  PERMISSION_BEHAVIORS,
  PERMISSION_MODES,
  SESSION_SOURCES,
  TASK_STATES,
  TOOL_CALL_STATES,
  TOOL_RESULT_STATES,
} from '../../sessions/model.js';
import { SESSION_EVENT_KINDS } from '../../sessions/events.js';
import { builder } from '../builder.js';

/** A contract enum as GraphQL spells it: the same values in UPPER_CASE (`accept_edits` → `ACCEPT_EDITS`). */
function contractEnum<const Value extends string>(name: string, values: readonly Value[], description: string) {
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(values.map((value) => [value.toUpperCase(), { value }])) as Record<
      string,
      { value: Value }
    >,
  });
}

export const SessionSourceEnum = contractEnum('SessionSource', SESSION_SOURCES, 'What created the session.');
export const PermissionModeEnum = contractEnum(
  'SessionPermissionMode',
  PERMISSION_MODES,
  'How the agent asks before using tools.',
);
export const PermissionBehaviorEnum = contractEnum(
  'SessionPermissionBehavior',
  PERMISSION_BEHAVIORS,
  'What a permission rule does.',
);
export const MessageRoleEnum = contractEnum('SessionMessageRole', MESSAGE_ROLES, 'Who a message is from.');
export const TaskStateEnum = contractEnum('SessionTaskState', TASK_STATES, 'Progress of a task.');
export const ToolCallStateEnum = contractEnum(
  'SessionToolCallState',
  TOOL_CALL_STATES,
  'Where a tool call is in its approval and execution.',
);
export const ToolResultStateEnum = contractEnum(
  'SessionToolResultState',
  TOOL_RESULT_STATES,
  'How a tool call ended (or that it still runs).',
);
export const SessionEventKindEnum = contractEnum(
  'SessionEventKind',
  SESSION_EVENT_KINDS,
  'What a write did to a session.',
);
