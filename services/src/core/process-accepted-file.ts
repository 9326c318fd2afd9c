/**
 * The processing step for accepted files. Today it describes the file for the log; real processing
 * (scanning, thumbnails, import) goes here and receives the same description.
 */
export interface AcceptedFile {
  bucket: string;
  key: string;
  size: number;
  versionId?: string;
}

export function describeAcceptedFile(file: AcceptedFile, acceptedPrefix: string): AcceptedFile | undefined {
  return file.key.startsWith(acceptedPrefix) ? file : undefined;
}
