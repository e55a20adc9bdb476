// The packs pipeline tests run on: the random-weight fixture (always) and the shipped
// models/lamina-tiny (or the reason it is skipped).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verifyPack, type Pack } from '../runtime/pack-registry.ts';

export const FIXTURE_PACK_DIR = fileURLToPath(new URL('../runtime/fixtures/tiny-pack', import.meta.url));
export const FIXTURE_ART_PACK_DIR = fileURLToPath(new URL('../runtime/fixtures/tiny-art-pack', import.meta.url));
export const FIXTURE_DECOMPOSE_PACK_DIR = fileURLToPath(new URL('../runtime/fixtures/tiny-decompose-pack', import.meta.url));
/** tiny-pack plus a random LoRA adapter (make-fixture-pack.py --lora) and its PyTorch reference outputs */
export const FIXTURE_LORA_PACK_DIR = fileURLToPath(new URL('../runtime/fixtures/tiny-lora-pack', import.meta.url));
export const FIXTURE_LORA_REFERENCE_DIR = fileURLToPath(new URL('../runtime/fixtures/tiny-lora-reference', import.meta.url));
export const SHIPPED_PACK_DIR = fileURLToPath(new URL('../../../models/lamina-tiny', import.meta.url));

export function loadFixturePack(): Promise<Pack> {
  return verifyPack(FIXTURE_PACK_DIR);
}

/** The random-weight ART pack (an ART transformer over the fixture's text encoder and VAE). */
export function loadFixtureArtPack(): Promise<Pack> {
  return verifyPack(FIXTURE_ART_PACK_DIR);
}

export async function loadShippedPack(): Promise<Pack | { skip: string }> {
  if (!existsSync(`${SHIPPED_PACK_DIR}/manifest.json`)) return { skip: 'models/lamina-tiny/manifest.json not built yet' };
  return verifyPack(SHIPPED_PACK_DIR).catch((err: Error) => ({ skip: `models/lamina-tiny fails verification: ${err.message}` }));
}
