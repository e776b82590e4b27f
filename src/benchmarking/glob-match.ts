/** True when `name` matches `pattern`, where `*` stands for any run of characters (`openrouter/*:free`). */
export function globMatch(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'u').test(name);
}
