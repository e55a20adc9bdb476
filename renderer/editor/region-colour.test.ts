import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from './editor.ts';
import { MemoryClient } from './testing/memory-client.ts';
import { colourPalette, colourWordOf, followPromptColour, labelInk, regionColourFor, REGION_NEUTRAL } from './region-colour.ts';

const worldPalette = { red: [220, 50, 47], blue: [40, 110, 220], white: [245, 245, 245] } as Record<string, [number, number, number]>;
const palette = colourPalette([{ vocabulary: { words: [], split: '[a-z]+', lowercase: true, colours: worldPalette } }]);

test('overlay colour: the colour word of the prompt (the pack\'s palette), else neutral', () => {
  assert.equal(regionColourFor('a red circle', palette), '#dc322f');
  assert.equal(regionColourFor('A large RED star', palette), '#dc322f');
  assert.equal(regionColourFor('a circle', palette), REGION_NEUTRAL);
  assert.equal(regionColourFor('', palette), REGION_NEUTRAL);
  // the object's colour, not its background's; a background colour only when nothing else names one
  assert.equal(colourWordOf('a red star on a blue background', palette), 'red');
  assert.equal(colourWordOf('on a blue striped background, a white heart', palette), 'white');
  assert.equal(colourWordOf('on a blue background', palette), 'blue');
  // a colour the pack has no palette for comes from the basic names
  assert.equal(colourWordOf('a teal hexagon', palette), 'teal');
  assert.equal(colourWordOf('a constructor', palette), null);
});

test('followPromptColour: an automatic colour follows the prompt, a chosen one stays', () => {
  assert.equal(followPromptColour(REGION_NEUTRAL, '', 'a red circle', palette), '#dc322f');
  assert.equal(followPromptColour('#dc322f', 'a red circle', 'a blue circle', palette), '#286edc');
  assert.equal(followPromptColour('#dc322f', 'a red circle', 'a circle', palette), REGION_NEUTRAL);
  assert.equal(followPromptColour('#123456', 'a red circle', 'a blue circle', palette), null);
  assert.equal(followPromptColour(REGION_NEUTRAL, '', 'a circle', palette), null);
  assert.equal(labelInk('#f5f5f5'), '#0b0d12');
  assert.equal(labelInk('#191919'), '#ffffff');
});

test('editor: a new region is neutral; typing "a red circle" tints it red in the same undo step', async () => {
  const client = new MemoryClient();
  const editor = new Editor({ client });
  editor.setScreen(1000, 800);
  await editor.newDocument(400, 300, 'Test');
  editor.setTool('region');
  const ptr = (x: number, y: number) => ({ canvas: { x, y }, screen: { x, y }, button: 0, shiftKey: false, altKey: false, modKey: false });
  editor.pointer('onPointerDown', ptr(10, 10));
  editor.pointer('onPointerMove', ptr(110, 90));
  editor.pointer('onPointerUp', ptr(110, 90));
  await new Promise((r) => setTimeout(r, 0));
  const id = editor.state.selection[0];
  const region = () => editor.document!.layers.find((l) => l.id === id) as { color: string; prompt: string };
  assert.equal(region().color, REGION_NEUTRAL);
  await editor.setRegionPrompt(id, 'a red circle');
  assert.equal(region().prompt, 'a red circle');
  assert.equal(region().color, '#dc322f');
  await editor.updateLayer(id, { color: '#00ff00' });
  await editor.setRegionPrompt(id, 'a blue circle');
  assert.equal(region().color, '#00ff00', 'a colour the user chose stays');
  await editor.undo();
  await editor.undo();
  assert.deepEqual([region().prompt, region().color], ['a red circle', '#dc322f']);
  await editor.undo();
  assert.deepEqual([region().prompt, region().color], ['', REGION_NEUTRAL]);
});
