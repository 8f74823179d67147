// Which moves a user may try, mirroring the table of docs/workflow.md (the server's
// src/core/workflow.c decides; when it disagrees its refusal is shown as it is). Each move
// names the target state the API takes, the roles allowed, the fields it needs and whether a
// note is required.
const OPEN = ['new', 'accepted', 'assigned', 'investigating', 'proposed', 'resolving', 'replied', 'follow_up'];
const STAFF = ['intake', 'handler', 'leader', 'admin'];
const WORKERS = ['handler', 'leader', 'admin'];
const LEADERS = ['leader', 'admin'];

export const MOVES = [
  { event: 'accept', from: ['new'], to: 'accepted', roles: STAFF, fields: [] },
  { event: 'assign', from: ['accepted'], to: 'assigned', roles: STAFF, fields: ['assignee'] },
  { event: 'investigate', from: ['assigned'], to: 'investigating', roles: WORKERS, fields: [] },
  { event: 'propose', from: ['investigating'], to: 'proposed', roles: WORKERS,
    fields: ['responsibility.party', 'responsibility.root_cause', 'plan'] },
  { event: 'send_back', from: ['proposed'], to: 'investigating', roles: LEADERS, fields: [], note: true },
  { event: 'approve', from: ['proposed'], to: 'resolving', roles: LEADERS, fields: [] },
  { event: 'reply', from: ['resolving'], to: 'replied', roles: WORKERS, fields: ['reply'] },
  { event: 'follow_up', from: ['replied'], to: 'follow_up', roles: WORKERS, fields: [] },
  { event: 'close', from: ['follow_up'], to: 'closed', roles: WORKERS,
    fields: ['satisfaction.score', 'satisfaction.waived_reason'] },
  { event: 'reopen', from: ['replied', 'closed'], to: 'investigating', roles: WORKERS, fields: [], note: true },
  { event: 'reject', from: ['new', 'accepted'], to: 'rejected', roles: ['intake', 'leader', 'admin'], fields: [], note: true },
  { event: 'withdraw', from: OPEN, to: 'withdrawn', roles: STAFF, fields: [], note: true },
  { event: 'merge', from: OPEN, to: 'merged', roles: WORKERS, fields: ['duplicate_of'] },
];

export function allowedMoves(state, role) {
  return MOVES.filter((m) => m.from.includes(state) && m.roles.includes(role));
}

export function isOpen(state) { return OPEN.includes(state); }
