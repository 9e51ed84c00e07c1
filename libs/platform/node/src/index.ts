export { upstreamConnector } from './upstream-connector';
