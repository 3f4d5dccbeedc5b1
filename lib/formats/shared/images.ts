/**
 * Image sources in their three spellings: OpenAI `image_url` (an https or `data:` URL),
 * Anthropic `source` (base64 or url) and Gemini `inlineData` / `fileData`.
 */
import { type ImagePart } from '../canonical.js';
import { unsupportedField } from './field-notes.js';

const DATA_URL = /^data:([^;,]+)(?:;[^,]*)?;base64,/;

/** A URL as canonical source: `data:` URLs become base64 so no target ever needs to fetch them. */
export function imageSourceFromUrl(url: string): ImagePart['source'] {
  const m = DATA_URL.exec(url);
  if (m) return { kind: 'base64', mediaType: m[1] as string, data: url.slice(m[0].length) };
  return { kind: 'url', url };
}

export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

/** The media type a URL's file extension implies, when it names a known image type. */
export function imageTypeFromUrl(url: string): string | undefined {
  const path = url.split(/[?#]/, 1)[0] as string;
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return undefined;
  return EXTENSIONS[path.slice(dot + 1).toLowerCase()];
}

/**
 * OpenAI and Anthropic fetch image URLs themselves, so only public http(s) URLs can go
 * there: `gs://` objects and Gemini Files API URIs need Google credentials.
 */
export function assertFetchableUrl(url: string, target: string): void {
  if (!/^https?:\/\//i.test(url) || /^https:\/\/generativelanguage\.googleapis\.com\//i.test(url)) {
    unsupportedField(`image URL ${url.slice(0, 80)}`, target);
  }
}
