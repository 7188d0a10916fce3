/** Coaching rules (issue 9): plain functions, no Express or knex. */
export * from './follow-ups.js';
export * from './interactions.js';
export * from './templates.js';
export * from './contact.js';
export * from './plans.js';
export * from './access.js';
