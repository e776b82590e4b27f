export type * from './benchmark-scores.js';
export type * from './chat.js';
export * from './errors.js';
export type * from './model-card.js';
export type * from './provider.js';
export * from './raw-json.js';
export type * from './request-record.js';
