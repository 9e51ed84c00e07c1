/** A single-platform image to push: its layers' bytes (any bytes: the registry does not look inside). */
export interface TestImage {
  readonly layers: readonly Buffer[];
  /** Goes into the config blob, so two images with the same layers still differ. Default 'linux/amd64'. */
  readonly platform?: string;
}

export interface PushedImage {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly config: { readonly digest: string; readonly bytes: Buffer };
  readonly layers: readonly { readonly digest: string; readonly bytes: Buffer }[];
}

export interface PushedIndex {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly children: readonly PushedImage[];
}
