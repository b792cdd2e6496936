/**
 * Cyrillic and Greek letters that look like Latin ones, as the Latin letter they imitate — so that
 * `раssword` (Cyrillic р and а) reads as `password`. A deliberate subset of Unicode TR39's confusables
 * (confusables.txt): letters of the two scripts that pass for Latin in ordinary fonts, whose prototype there
 * is one ASCII letter. Keys are read without case, so the capital I-shapes (Greek Ι, Cyrillic І and Ӏ, whose
 * prototype is `l`) map to `I`, the letter they are drawn as. The full skeleton is not used: it also maps
 * ASCII (`m` → `rn`, `I` → `l`, `0` → `O`), which would change how every plain key reads.
 */
const PAIRS = [
  // Cyrillic
  'аa сc ԁd еe гr һh іi ӏi јj оo рp ԛq ѕs ѵv ԝw хx уy үy',
  'АA ВB СC ЕE НH ІI ӀI ЈJ КK МM ОO РP ЅS ТT ѴV ԜW ХX УY ҮY',
  // Greek
  'αa ϲc ιi ϳj νv οo ρp υu γy',
  'ΑA ΒB ϹC ΕE ΖZ ΗH ΙI ͿJ ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX',
].flatMap((line) => line.split(' '));

export const LOOK_ALIKES: ReadonlyMap<string, string> = new Map(PAIRS.map((p) => [p[0]!, p[1]!]));

const ANY = new RegExp(`[${[...LOOK_ALIKES.keys()].join('')}]`, 'g');

/** `text` with each look-alike letter replaced by the Latin letter it imitates. */
export function latinLookAlikes(text: string): string {
  return text.replace(ANY, (c) => LOOK_ALIKES.get(c)!);
}
