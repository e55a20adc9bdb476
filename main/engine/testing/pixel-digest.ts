// A short name for a result's raw pixels (sha256 of the RGBA bytes), so tests compare
// images by value without megabyte-long assertion messages.
import { createHash } from 'node:crypto';

export const pixelDigest = (layer: { rgba: Uint8Array }): string => createHash('sha256').update(layer.rgba).digest('hex');
