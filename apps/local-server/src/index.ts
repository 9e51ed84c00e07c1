export { startServer, type RunningServer, type ServerOptions } from './server';
export { parseCommand, USAGE } from './cli';
