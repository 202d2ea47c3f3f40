import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `npm start` as a separate process (a separate Lambda container), and what it printed. */
export interface LocalStackProcess {
  apiUrl: string;
  dynamodbEndpoint: string;
  secretsManagerEndpoint: string;
  sandboxUrl: string;
  child: ChildProcess;
  output: () => string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `infra/local/start.ts` in its own Node process and waits for its ready banner. */
export async function spawnLocalStack(env: Record<string, string>): Promise<LocalStackProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  // A line may arrive in pieces: keep each stream's unfinished tail until its newline comes.
  const collector = () => {
    let tail = '';
    return (chunk: Buffer) => {
      const parts = (tail + chunk.toString('utf8')).split('\n');
      tail = parts.pop() ?? '';
      lines.push(...parts);
    };
  };
  child.stdout?.on('data', collector());
  child.stderr?.on('data', collector());
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready banner:\n${lines.join('\n')}`)), 60_000);
    const check = () => {
      const text = lines.join('\n');
      if (/Sandbox:\s+\S+/.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', () => reject(new Error(`local stack exited:\n${lines.join('\n')}`)));
  });
  const field = (label: string) => new RegExp(`${label}:\\s+(http://\\S+)`).exec(banner)?.[1] ?? '';
  return {
    apiUrl: field('API').replace(/\/api\/data$/, ''),
    dynamodbEndpoint: field('DynamoDB'),
    secretsManagerEndpoint: field('Secrets'),
    sandboxUrl: field('Sandbox').replace(/\/__sandbox\/knobs$/, ''),
    child,
    output: () => lines,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
