// What every measurement of a pack starts from: the verified pack, its world, the judges
// (objects, words) and the 500 held-out test captions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPackModel, wordTokenizerFile, type PackModel } from '../runtime/pack-model.ts';
import { verifyPack, type Pack } from '../runtime/pack-registry.ts';
import { ObjectJudge, type RequestedObject, type ShapeTemplates } from './object-judge.ts';
import { WordJudge, type WordTemplates } from './word-judge.ts';
import { loadWorldSpec, type WorldSpec } from './world-spec.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));

export interface TestCaption {
  seed: number;
  caption: string;
  /** the scene's objects, back to front */
  objects: (RequestedObject & { size: string })[];
}

export interface EvaluationSetup {
  pack: Pack;
  model: PackModel;
  world: WorldSpec;
  judge: ObjectJudge;
  /** each world shape's coverage over its drawn extent (the judge's templates) */
  templates: ShapeTemplates;
  words: WordJudge;
  /** the held-out test captions (fixtures/test-captions.json), in order */
  captions: TestCaption[];
}

export async function loadEvaluation(packDir: string): Promise<EvaluationSetup> {
  const pack = await verifyPack(packDir);
  const model = readPackModel(pack);
  const world = loadWorldSpec(wordTokenizerFile(model));
  const templates: ShapeTemplates = JSON.parse(readFileSync(join(HERE, 'shape-templates.json'), 'utf8'));
  const wordTemplates: WordTemplates = JSON.parse(readFileSync(join(HERE, 'word-templates.json'), 'utf8'));
  const captions: TestCaption[] = JSON.parse(readFileSync(join(HERE, 'fixtures', 'test-captions.json'), 'utf8'));
  return { pack, model, world, judge: new ObjectJudge(world, templates), templates, words: new WordJudge(world, wordTemplates), captions };
}
