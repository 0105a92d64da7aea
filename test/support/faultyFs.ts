// File systems that fail the way real disks do, for the atomic writes (src/core/config/atomicWrite.ts).
import { promises as fs } from 'node:fs';
import type { AtomicFs } from '../../src/core/config/atomicWrite';

/** node's fs with the temp file's writes failing as on a full disk, after the file was created. */
export function fullDiskFs(): AtomicFs & { opened: string[] } {
  const opened: string[] = [];
  const io = {
    ...(fs as unknown as AtomicFs),
    opened,
    async open(file: string, flags: string, mode?: number) {
      const handle = await fs.open(file, flags, mode);
      if (flags === 'r') return handle;
      opened.push(file);
      const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return { chmod: (m: number) => handle.chmod(m), sync: () => handle.sync(), close: () => handle.close(), writeFile: () => Promise.reject(enospc) };
    },
  };
  return io;
}
