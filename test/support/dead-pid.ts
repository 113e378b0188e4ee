import {spawn} from 'node:child_process'

/** The pid of a process that has exited: what a SIGKILLed writer leaves in its lock file. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], {stdio: 'ignore'})
  await new Promise((resolve) => child.on('exit', resolve))
  return child.pid as number
}
