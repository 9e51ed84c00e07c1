import { UploadUnknownError } from '@cargohold/storage-ports';
import { bodyOf, bytesOf } from '@cargohold/storage-testing';
import { createMemoryStorage } from './index';

describe('MemoryBlobUploads', () => {
  it.each(['../x', 'not-a-uuid', ''])('refuses the non-UUID id %j like the durable adapters do', async (id) => {
    const { uploads } = createMemoryStorage();
    await expect(uploads.create(id)).rejects.toBeInstanceOf(UploadUnknownError);
    await expect(uploads.append(id, 0, bodyOf(bytesOf(1)))).rejects.toBeInstanceOf(UploadUnknownError);
    expect(await uploads.status(id)).toEqual({ found: false });
  });
});
