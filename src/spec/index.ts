export type * from './chat.js';
export type * from './model-card.js';
export type * from './provider.js';
export * from './errors.js';
