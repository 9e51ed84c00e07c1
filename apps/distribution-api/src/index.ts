export { openAwsStorage } from './deps.aws';
