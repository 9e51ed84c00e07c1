// What specs outside the browser use: the request signer and the paging helpers. The app itself is main.tsx.
export { signEcrRequest, ECR_CONTENT_TYPE, type Credentials, type SignedRequest } from './ecr-request';
export { ecrClient, EcrApiError, type EcrCall } from './ecr-client';
export { firstPage, forward, back, loaded, tokenOf, hasNext, hasPrevious, pageSize, MAX_PAGE_SIZE, type PageCursor } from './paging';
