export { startFaultProxy, type FaultProxy, type FaultProxyOptions } from './fault-proxy';
export { describeFault, jsonAnswer, type CancellationCode, type ErrorAnswer, type Fault, type JsonErrorType, type S3ErrorCode } from './faults';
export { operationOf, type RequestLine } from './operations';
export { FaultSchedule, faultSeed, seededRandom, type Decision, type FaultRule } from './schedule';
