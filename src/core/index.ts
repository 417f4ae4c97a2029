export * from './errors';
export * from './codec';
export * from './profile';
export * from './connection';
export * from './pagers';
export * from './hashOps';
export * from './keyOps';
export * from './serverInfo';
