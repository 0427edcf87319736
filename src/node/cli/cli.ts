// The `walkie` command line: `walkie host`, `walkie relay`, `walkie device`.
import { main } from './cliMain';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`walkie: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
