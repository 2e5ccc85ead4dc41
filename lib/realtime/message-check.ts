import type { ChannelMessage } from '../channels/channel-layer';

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** Why `target` is not a broadcast target (`{ kind, id? }`), or undefined when it is one. */
function targetProblem(target: unknown): string | undefined {
  if (typeof target !== 'object' || target === null) return 'target is not an object';
  const { kind, id } = target as Record<string, unknown>;
  if (kind === 'all') return undefined;
  if (kind !== 'room' && kind !== 'channel' && kind !== 'user' && kind !== 'path') return `target kind ${JSON.stringify(kind)} is unknown`;
  return isString(id) ? undefined : `target ${kind} has no string id`;
}

/**
 * Why a message on the real-time layer's channel is not one the switchboard sends
 * (`realtime.deliver` or `realtime.membership`, with every field of the right type), or
 * undefined when it is one. Anyone who can publish on Redis, or a bug, can put anything on
 * the layer, and acting on a malformed message would throw in the loop that serves every
 * socket of the process.
 *
 * @example
 * realtimeMessageProblem({ type: 'realtime.deliver', origin: 'p', target: { kind: 'all' }, payload: '{}', except: [] }); // → undefined
 * realtimeMessageProblem({ type: 'realtime.deliver', origin: 'p' }); // → 'target is not an object'
 */
export function realtimeMessageProblem(message: ChannelMessage): string | undefined {
  if (!isString(message.origin)) return 'origin is not a string';
  if (message.type === 'realtime.deliver') {
    const problem = targetProblem(message.target);
    if (problem !== undefined) return problem;
    if (!isString(message.payload)) return 'payload is not a string';
    if (message.historyId !== undefined && !isString(message.historyId)) return 'historyId is not a string';
    return Array.isArray(message.except) && message.except.every(isString) ? undefined : 'except is not an array of strings';
  }
  if (message.type === 'realtime.membership') {
    if (message.kind !== 'room' && message.kind !== 'channel') return `kind ${JSON.stringify(message.kind)} is neither room nor channel`;
    if (!isString(message.id) || !isString(message.userId)) return 'id or userId is not a string';
    return typeof message.member === 'boolean' ? undefined : 'member is not a boolean';
  }
  return `type ${JSON.stringify(message.type)} is not a real-time message`;
}
