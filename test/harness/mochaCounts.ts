/** Reads mocha's spec-reporter summary ("12 passing", "2 failing", "1 pending") from output text. */
export function parseMochaCounts(output: string): { passed: number; failed: number; pending: number } {
  const count = (word: string) => {
    const matches = [...output.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, 'gm'))];
    return matches.length ? Number(matches[matches.length - 1][1]) : 0;
  };
  return { passed: count('passing'), failed: count('failing'), pending: count('pending') };
}
