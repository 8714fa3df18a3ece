import { describe, expect, test } from 'vitest';
import { planSessionPatch } from '../../src/sessions/patch.js';

describe('planSessionPatch', () => {
  test('an empty patch changes no column', () => {
    expect(planSessionPatch({})).toEqual({ session: {}, state: {} });
  });

  test('null clears the name and the model config, and keeps the mode', () => {
    expect(planSessionPatch({ name: null, chatModelConfig: null, permissionMode: null })).toEqual({
      session: { name: null, chatModelConfig: null },
      state: {},
    });
  });

  test('a model config is replaced whole, parameters defaulting to {}', () => {
    const config = { type: 't', credentialId: 'c', model: 'm' };
    expect(planSessionPatch({ chatModelConfig: config }).session.chatModelConfig).toEqual({
      ...config,
      parameters: {},
    });
    expect(planSessionPatch({ chatModelConfig: { ...config, parameters: null } }).session.chatModelConfig).toEqual({
      ...config,
      parameters: {},
    });
    expect(planSessionPatch({ chatModelConfig: { ...config, parameters: { a: 1 } } }).session.chatModelConfig).toEqual({
      ...config,
      parameters: { a: 1 },
    });
  });

  test('a mode goes to the state only', () => {
    expect(planSessionPatch({ permissionMode: 'explore' })).toEqual({
      session: {},
      state: { permissionMode: 'explore' },
    });
  });
});
