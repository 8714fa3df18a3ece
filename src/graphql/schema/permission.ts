import { listCost } from '../cost.js';
import { LIMITS } from '../../sessions/limits.js';
import type { AgentStateRecord, PermissionRule, WorkingDirectory } from '../../sessions/model.js';
import { builder } from '../builder.js';
import { boundedList, boundedString, labelString } from '../validation.js';
import { PermissionBehaviorEnum, PermissionModeEnum } from './enums.js';

export const PermissionRuleRef = builder.objectRef<PermissionRule>('SessionPermissionRule').implement({
  description: 'Whether a tool (or a use of it matching `ruleContent`) is allowed, denied or asked about.',
  fields: (t) => ({
    toolName: t.exposeString('toolName'),
    ruleContent: t.exposeString('ruleContent', {
      nullable: true,
      description: 'Tool-specific pattern: a command substring for Bash, a path glob for Read/Write.',
    }),
    behavior: t.field({ type: PermissionBehaviorEnum, resolve: (rule) => rule.behavior }),
    source: t.exposeString('source'),
  }),
});

export const PermissionRuleInput = builder.inputType('SessionPermissionRuleInput', {
  description: 'A permission rule.',
  fields: (t) => ({
    toolName: t.string({ required: true, validate: labelString() }),
    ruleContent: t.string({ validate: boundedString(LIMITS.textLength) }),
    behavior: t.field({ type: PermissionBehaviorEnum, required: true }),
    source: t.string({ required: true, validate: labelString() }),
  }),
});

const WorkingDirectoryRef = builder.objectRef<WorkingDirectory>('SessionWorkingDirectory').implement({
  description: 'A directory the agent may work in.',
  fields: (t) => ({ path: t.exposeString('path'), source: t.exposeString('source') }),
});

const WorkingDirectoryInput = builder.inputType('SessionWorkingDirectoryInput', {
  description: 'A directory the agent may work in.',
  fields: (t) => ({
    path: t.string({ required: true, validate: labelString() }),
    source: t.string({ required: true, validate: labelString() }),
  }),
});

/** The permission context is a view of the agent state row. */
export const PermissionContextRef = builder.objectRef<AgentStateRecord>('SessionPermissionContext').implement({
  description: 'How the agent asks before using tools, and its rules.',
  fields: (t) => ({
    mode: t.field({ type: PermissionModeEnum, resolve: (state) => state.permissionMode }),
    workingDirectories: t.field({
      type: [WorkingDirectoryRef],
      complexity: listCost(LIMITS.workingDirectories),
      resolve: (state) => state.workingDirectories,
    }),
    allowRules: t.field({
      type: [PermissionRuleRef],
      complexity: listCost(LIMITS.rulesPerList),
      resolve: (state) => state.allowRules,
    }),
    denyRules: t.field({
      type: [PermissionRuleRef],
      complexity: listCost(LIMITS.rulesPerList),
      resolve: (state) => state.denyRules,
    }),
    askRules: t.field({
      type: [PermissionRuleRef],
      complexity: listCost(LIMITS.rulesPerList),
      resolve: (state) => state.askRules,
    }),
  }),
});

export const PermissionContextInput = builder.inputType('SessionPermissionContextInput', {
  description: 'How the agent asks before using tools, and its rules.',
  fields: (t) => ({
    mode: t.field({ type: PermissionModeEnum, description: 'Defaults to DEFAULT.' }),
    workingDirectories: t.field({ type: [WorkingDirectoryInput], validate: boundedList(LIMITS.workingDirectories) }),
    allowRules: t.field({ type: [PermissionRuleInput], validate: boundedList(LIMITS.rulesPerList) }),
    denyRules: t.field({ type: [PermissionRuleInput], validate: boundedList(LIMITS.rulesPerList) }),
    askRules: t.field({ type: [PermissionRuleInput], validate: boundedList(LIMITS.rulesPerList) }),
  }),
});
