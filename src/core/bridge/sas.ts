// The short authentication string (SAS) shown on both screens after a first pairing: four words derived
// from the Noise handshake hash. Both ends of the same handshake compute the same hash, so matching words
// prove no one relayed a different key in between (e.g. someone who photographed the QR and raced the
// phone). 4 words × 8 bits = 32 bits: a man in the middle gets one 1-in-2^32 guess per pairing attempt,
// and pairing attempts are rate-limited and single-use (src/core/pairing/pairingOffers.ts).
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

/** 256 short, distinct, easy-to-say English nouns; index = one byte. Never reorder: both sides must agree. */
export const SAS_WORDS: readonly string[] = Object.freeze([
  'acorn', 'actor', 'adobe', 'agent', 'alarm', 'album', 'alley', 'amber', 'anchor', 'angle', 'ankle', 'apple', 'apron', 'arena', 'arrow', 'atlas',
  'attic', 'audio', 'autumn', 'bacon', 'badge', 'bagel', 'baker', 'bamboo', 'banjo', 'barn', 'basil', 'basket', 'beach', 'beacon', 'beaver', 'bench',
  'berry', 'bison', 'blade', 'blanket', 'blossom', 'bottle', 'brick', 'bridge', 'broom', 'bubble', 'bucket', 'buffalo', 'butter', 'cabin', 'cactus', 'camel',
  'candle', 'canoe', 'canvas', 'carpet', 'carrot', 'castle', 'cedar', 'cello', 'chalk', 'cherry', 'chess', 'cider', 'circus', 'citrus', 'clover', 'cobra',
  'cocoa', 'comet', 'copper', 'coral', 'cotton', 'cougar', 'crayon', 'cricket', 'crystal', 'cube', 'daisy', 'delta', 'denim', 'desert', 'diamond', 'dingo',
  'dolphin', 'donkey', 'dragon', 'drum', 'eagle', 'echo', 'eclipse', 'elbow', 'ember', 'emerald', 'engine', 'falcon', 'feather', 'fern', 'ferry', 'fiddle',
  'flute', 'forest', 'fossil', 'fox', 'garden', 'garlic', 'gecko', 'ginger', 'glacier', 'globe', 'goose', 'granite', 'grape', 'gravel', 'guitar', 'hammer',
  'harbor', 'hazel', 'helmet', 'heron', 'honey', 'hornet', 'husky', 'igloo', 'iris', 'island', 'ivory', 'jacket', 'jaguar', 'jasmine', 'jelly', 'jewel',
  'jungle', 'kayak', 'kettle', 'kitten', 'koala', 'ladder', 'lagoon', 'lantern', 'lemon', 'lentil', 'lilac', 'linen', 'lizard', 'lobster', 'locket', 'lotus',
  'magnet', 'mango', 'maple', 'marble', 'meadow', 'melon', 'mirror', 'mitten', 'monkey', 'moose', 'mosaic', 'muffin', 'nectar', 'needle', 'nickel', 'noodle',
  'nutmeg', 'oasis', 'ocean', 'olive', 'onion', 'orbit', 'orchid', 'otter', 'owl', 'paddle', 'panda', 'papaya', 'parrot', 'peach', 'peanut', 'pebble',
  'pelican', 'pepper', 'piano', 'pickle', 'pigeon', 'pillow', 'pine', 'pirate', 'planet', 'plum', 'pocket', 'pony', 'poppy', 'potato', 'prism', 'pumpkin',
  'puzzle', 'quail', 'quartz', 'quill', 'rabbit', 'radar', 'radish', 'raven', 'ribbon', 'river', 'robin', 'rocket', 'ruby', 'saddle', 'salmon', 'sandal',
  'saturn', 'scarf', 'shadow', 'sheep', 'shell', 'silver', 'sketch', 'sleigh', 'socket', 'spider', 'spoon', 'squid', 'stamp', 'statue', 'summit', 'sunset',
  'swan', 'tablet', 'taco', 'tango', 'teapot', 'tiger', 'timber', 'toast', 'tomato', 'topaz', 'tractor', 'tulip', 'tundra', 'turtle', 'tuxedo', 'umbrella',
  'unicorn', 'valley', 'velvet', 'violin', 'volcano', 'waffle', 'walnut', 'walrus', 'whale', 'willow', 'window', 'wizard', 'yacht', 'yogurt', 'zebra', 'zipper',
]);

export const SAS_WORD_COUNT = 4;

// Domain separation: the SAS bytes are not the raw handshake hash, so the string can never be reused as
// (or leak anything about) a channel binding for another purpose.
const SAS_LABEL = utf8ToBytes('walkie/sas/v1');

/** Four words separated by spaces, e.g. "otter maple quill radar". Throws a TypeError for a non-32-byte hash. */
export function shortAuthString(handshakeHash: Uint8Array): string {
  if (!(handshakeHash instanceof Uint8Array) || handshakeHash.length !== 32) {
    throw new TypeError('shortAuthString: handshakeHash must be 32 bytes');
  }
  const digest = sha256(concatBytes(SAS_LABEL, handshakeHash));
  const words: string[] = [];
  for (let i = 0; i < SAS_WORD_COUNT; i++) words.push(SAS_WORDS[digest[i]]);
  return words.join(' ');
}
