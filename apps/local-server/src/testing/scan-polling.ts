import { DescribeImageScanFindingsCommand, type DescribeImageScanFindingsCommandOutput, type ECRClient } from '@aws-sdk/client-ecr';

/** Polls DescribeImageScanFindings until the scan is no longer IN_PROGRESS. */
export async function findingsWhenDone(ecr: ECRClient, repositoryName: string, imageTag: string): Promise<DescribeImageScanFindingsCommandOutput> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      const out = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName, imageId: { imageTag } }));
      if (out.imageScanStatus?.status !== 'IN_PROGRESS') return out;
    } catch (error) {
      if ((error as Error).name !== 'ScanNotFoundException') throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`scan of ${repositoryName}:${imageTag} did not finish`);
}
